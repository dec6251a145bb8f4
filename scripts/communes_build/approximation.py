"""Points for the communes no GeoNames place matched: centre of their postcodes' communes, else of their
département, else a fixed point of their territory (all marked approximate)."""

from __future__ import annotations

from collections import defaultdict

from communes_build.placement import Placement, Point

# Last-resort points for territories where no commune matched at all
# (approximate, rounded; approx=1).
TERRITORY_FALLBACK = {
    "975": (46.78, -56.18),  # Saint-Pierre-et-Miquelon
    "977": (17.90, -62.83),  # Saint-Barthélemy
    "978": (18.07, -63.08),  # Saint-Martin
    "984": (-49.35, 70.22),  # Terres australes et antarctiques françaises
    "986": (-13.28, -176.17),  # Wallis-et-Futuna
    "989": (10.30, -109.22),  # Clipperton
}


def approximate_the_rest(placement: Placement) -> tuple[int, int, int]:
    """Pass 4: approximations from postcodes, then département.

    Returns how many points came from postcodes, from départements and from territories."""
    communes, coords, approx = placement.communes, placement.coords, placement.approx
    exact_pts_by_cp: dict[str, list[Point]] = defaultdict(list)
    for c in communes:
        if c["code"] in coords and not approx[c["code"]]:
            for cp in c.get("codesPostaux") or []:
                exact_pts_by_cp[cp].append(coords[c["code"]])
    dept_mean: dict[str, Point] = {}
    pts_by_dept: dict[str, list[Point]] = defaultdict(list)
    for c in communes:
        if c["code"] in coords and not approx[c["code"]]:
            pts_by_dept[c["departement"]].append(coords[c["code"]])
    for dep, pts in pts_by_dept.items():
        dept_mean[dep] = (sum(p[0] for p in pts) / len(pts), sum(p[1] for p in pts) / len(pts))

    by_postcode = by_dept = by_territory = 0
    for c in communes:
        code = c["code"]
        if code in coords:
            continue
        pts = [p for cp in c.get("codesPostaux") or [] for p in exact_pts_by_cp.get(cp, [])]
        if pts:
            coords[code] = (sum(p[0] for p in pts) / len(pts), sum(p[1] for p in pts) / len(pts))
            by_postcode += 1
        elif c["departement"] in dept_mean:
            coords[code] = dept_mean[c["departement"]]
            by_dept += 1
        elif c["departement"] in TERRITORY_FALLBACK:
            coords[code] = TERRITORY_FALLBACK[c["departement"]]
            by_territory += 1
        else:
            raise SystemExit(f"no coordinates at all for {code} {c['nom']} ({c['departement']})")
        approx[code] = True
    return by_postcode, by_dept, by_territory
