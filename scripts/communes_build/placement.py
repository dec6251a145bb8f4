"""Giving each commune its own GeoNames point, pass after pass (see ``scripts/build_communes.py``
for the order), and rejecting the points that cannot be its own."""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field

from communes_build.matching import (
    alternate_names_index,
    area_of,
    candidates_for,
    haversine_km,
    norm,
    strip_article,
)
from communes_build.sources import etalab_centre

Point = tuple[float, float]

# Max distance (km) between a GeoNames point and its département's centroid
# for the match to be trusted (metropolitan France only).
MAX_DEPT_DISTANCE_KM = 130.0
# Max distance (km) between a GeoNames point and the median of the other
# matched communes sharing one of its postcodes.
MAX_POSTCODE_DISTANCE_KM = 35.0


@dataclass
class Placement:
    """The communes and the points found so far (``approx``: the point is not the commune's own)."""

    communes: list[dict]
    coords: dict[str, Point] = field(default_factory=dict)
    approx: dict[str, bool] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.by_code = {c["code"]: c for c in self.communes}

    def dept_centroids(self) -> dict[str, Point]:
        pts: dict[str, list[Point]] = defaultdict(list)
        for c in self.communes:
            if c["code"] in self.coords and not self.approx.get(c["code"], True):
                pts[c["departement"]].append(self.coords[c["code"]])
        return {
            d: (statistics.median(p[0] for p in v), statistics.median(p[1] for p in v))
            for d, v in pts.items()
        }


def place_shipped_centres(placement: Placement) -> None:
    """Pass 0: coordinates shipped by etalab (none so far, kept for future versions)."""
    coords, approx = placement.coords, placement.approx
    for c in placement.communes:
        pt = etalab_centre(c)
        if pt:
            coords[c["code"]], approx[c["code"]] = pt, False


def place_unique_names(placement: Placement, exact: dict, loose: dict) -> dict[str, list[dict]]:
    """Pass 1: unambiguous name matches; returns the GeoNames candidates of the ambiguous ones."""
    communes, coords, approx = placement.communes, placement.coords, placement.approx
    pending: dict[str, list[dict]] = {}

    # How many communes share a (area, name) key: a single GeoNames candidate
    # for a key shared by several communes is no proof.
    key_count: dict[tuple[str, str], int] = defaultdict(int)
    for c in communes:
        key_count[(area_of(c["departement"], c["region"]), strip_article(norm(c["nom"])))] += 1

    for c in communes:
        code = c["code"]
        if code in coords:
            continue
        area = area_of(c["departement"], c["region"])
        cands = candidates_for(c["nom"], area, exact, loose)
        if len(cands) == 1 and key_count[(area, strip_article(norm(c["nom"])))] == 1:
            coords[code] = (cands[0]["latitude"], cands[0]["longitude"])
            approx[code] = False
        elif cands:
            pending[code] = cands
    return pending


def reject_far_from_departement(placement: Placement) -> int:
    """Sanity check of pass 1 (metropole): a "unique" match far away from its
    département is a homonymous hamlet, not the commune.  Returns how many were rejected."""
    coords, approx = placement.coords, placement.approx
    centroids = placement.dept_centroids()
    rejected = 0
    for c in placement.communes:
        code, dep = c["code"], c["departement"]
        if code in coords and c["zone"] == "metro" and dep in centroids:
            if haversine_km(*coords[code], *centroids[dep]) > MAX_DEPT_DISTANCE_KM:
                del coords[code], approx[code]
                rejected += 1
    return rejected


def place_nearest_to_departement(placement: Placement, pending: dict[str, list[dict]]) -> set[Point]:
    """Pass 2: several candidates -> nearest to the département centroid; one
    GeoNames point is given to one commune at most.  Returns the points given."""
    coords, approx, by_code = placement.coords, placement.approx, placement.by_code
    centroids = placement.dept_centroids()
    used = set(coords.values())
    choices = []
    for code, cands in pending.items():
        c = by_code[code]
        centre = centroids.get(c["departement"])
        if centre is None:
            continue
        for cand in cands:
            d = haversine_km(cand["latitude"], cand["longitude"], *centre)
            choices.append((d, code, (cand["latitude"], cand["longitude"])))
    choices.sort()
    for d, code, pt in choices:
        if code in coords or pt in used:
            continue
        c = by_code[code]
        if c["zone"] == "metro" and d > MAX_DEPT_DISTANCE_KM:
            continue
        coords[code], approx[code] = pt, False
        used.add(pt)
    return used


def place_by_other_names(placement: Placement, cities: list[dict], used: set[Point]) -> None:
    """Pass 2b: GeoNames alternate names (e.g. "Dunkirk" -> "Dunkerque",
    "Cherbourg" -> "Cherbourg-en-Cotentin"), unique unused candidate only.
    Pass 2c: token prefix either way ("Évry" ~ "Évry-Courcouronnes") when the
    populations are of the same order, unique unused candidate only."""
    coords, approx = placement.coords, placement.approx
    centroids = placement.dept_centroids()
    alt_index, area_cities = alternate_names_index(cities)

    def plausible(c: dict, city: dict, max_km: float = MAX_DEPT_DISTANCE_KM) -> bool:
        pt = (city["latitude"], city["longitude"])
        if pt in used:
            return False
        centre = centroids.get(c["departement"])
        if centre is None:
            return c["zone"] != "metro"
        return c["zone"] != "metro" or haversine_km(*pt, *centre) <= max_km

    generic = {"saint", "sainte", "notre", "dame", "mont", "saints", "saintes"}
    for c in sorted(placement.communes, key=lambda c: -int(c.get("population") or 0)):
        code = c["code"]
        if code in coords:
            continue
        area = area_of(c["departement"], c["region"])
        key = strip_article(norm(c["nom"]))
        cands = [city for city in alt_index.get((area, key), []) if plausible(c, city)]
        if len(cands) != 1:
            pop = int(c.get("population") or 0)
            cands = []
            for gkey, city in area_cities.get(area, []):
                if not (key.startswith(gkey + " ") or gkey.startswith(key + " ")):
                    continue
                common = gkey if len(gkey) < len(key) else key
                if not set(common.split()) - generic:
                    continue
                if pop and not (pop / 3 <= city["population"] <= pop * 3):
                    continue
                if plausible(c, city, 100.0):
                    cands.append(city)
        if len(cands) == 1:
            pt = (cands[0]["latitude"], cands[0]["longitude"])
            coords[code], approx[code] = pt, False
            used.add(pt)


def place_communes_nouvelles(
    placement: Placement, deleguees: list[dict], exact: dict, loose: dict, centroids: dict[str, Point]
) -> None:
    """Pass 3: communes nouvelles -> their communes déléguées (chef-lieu first)."""
    coords, approx = placement.coords, placement.approx
    deleg_by_chef: dict[str, list[dict]] = defaultdict(list)
    for d in deleguees:
        if d.get("chefLieu"):
            deleg_by_chef[d["chefLieu"]].append(d)
    for c in placement.communes:
        code = c["code"]
        if code in coords or code not in deleg_by_chef:
            continue
        area = area_of(c["departement"], c["region"])
        centre = centroids.get(c["departement"])
        # Chef-lieu déléguée (same INSEE code) first, then the others.
        for d in sorted(deleg_by_chef[code], key=lambda d: d["code"] != code):
            cands = candidates_for(d["nom"], area, exact, loose)
            if centre is not None:
                cands = [
                    p for p in cands
                    if haversine_km(p["latitude"], p["longitude"], *centre) <= MAX_DEPT_DISTANCE_KM
                ]
                cands.sort(key=lambda p: haversine_km(p["latitude"], p["longitude"], *centre))
            if cands:
                coords[code] = (cands[0]["latitude"], cands[0]["longitude"])
                # The chef-lieu's own point is the commune's point; another
                # déléguée's point is only "inside the commune".
                approx[code] = d["code"] != code
                break


def reject_postcode_outliers(placement: Placement, centroids: dict[str, Point]) -> int:
    """Consistency check: a point far from the other matched communes sharing
    its postcodes is a homonym of the neighbouring département (same region).
    Returns how many were rejected."""
    communes, coords, approx, by_code = placement.communes, placement.coords, placement.approx, placement.by_code
    rejected = 0
    for _ in range(2):
        pts_by_cp: dict[str, list[tuple[str, Point]]] = defaultdict(list)
        for c in communes:
            if c["code"] in coords and not approx[c["code"]]:
                for cp in c.get("codesPostaux") or []:
                    pts_by_cp[cp].append((c["code"], coords[c["code"]]))
        bad = []
        for c in communes:
            code = c["code"]
            if code not in coords or c["zone"] != "metro":
                continue
            others = {
                other: pt
                for cp in c.get("codesPostaux") or []
                for other, pt in pts_by_cp[cp]
                if other != code
            }
            if not others:
                continue
            if len(others) == 1:
                # Two points that disagree: drop the one farther from its département.
                (other, pt), = others.items()
                if haversine_km(*coords[code], *pt) > MAX_POSTCODE_DISTANCE_KM:
                    mine = centroids.get(c["departement"])
                    theirs = centroids.get(by_code[other]["departement"])
                    if mine and theirs and (
                        haversine_km(*coords[code], *mine) > haversine_km(*pt, *theirs)
                    ):
                        bad.append(code)
                continue
            mid = (
                statistics.median(p[0] for p in others.values()),
                statistics.median(p[1] for p in others.values()),
            )
            if haversine_km(*coords[code], *mid) > MAX_POSTCODE_DISTANCE_KM:
                bad.append(code)
        for code in bad:
            del coords[code], approx[code]
        rejected += len(bad)
    return rejected
