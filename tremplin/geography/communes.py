"""French communes reference data (``data/reference/communes.csv``) and a tolerant resolver.

The CSV is built by ``scripts/build_communes.py`` from Etalab's découpage
administratif (INSEE codes, names, postcodes, populations) and GeoNames
(coordinates); see ``data/reference/ATTRIBUTION.md``.  Nothing is downloaded at
run time.

This module loads and indexes the communes, and reads what a person typed
(postcode, INSEE code, département, arrondissement) around the name; the name
itself is matched by :mod:`tremplin.geography.name_matching`.

Typical use::

    res = get_communes().resolve("st etienne")
    if res.status == "found":
        commune = res.communes[0]
"""
from __future__ import annotations

import csv
import functools
import sys
import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from tremplin.geography.commune import RURAL_POPULATION_THRESHOLD, Commune, frozen_by_population
from tremplin.geography.distance import bounding_box, haversine_km
from tremplin.geography.name_matching import (
    MAX_SUGGESTIONS,
    CommuneNames,
    CommuneResolution,
    ResolutionStatus,
    resolution_of,
)
from tremplin.geography.names import name_key
from tremplin.text import normalize

__all__ = [
    "RURAL_POPULATION_THRESHOLD",
    "Commune",
    "CommuneIndex",
    "CommuneResolution",
    "ResolutionStatus",
    "default_reference_path",
    "get_communes",
    "name_key",
]

#: Environment variable naming a directory that holds ``communes.csv`` (tests, packaging).
REFERENCE_DIR_ENV = "TREMPLIN_REFERENCE_DIR"

_POSTCODE_RE = re.compile(r"^\d{5}$")
_INSEE_RE = re.compile(r"^(\d{5}|2[ab]\d{3})$")
_DEPT_SUFFIX_RE = re.compile(r"^(?P<name>.*[a-z].*?)\s+(?P<dep>\d{2}|2a|2b|9[78]\d)$")
_BIG_CITY_RE = re.compile(
    r"^(?P<city>paris|lyon|marseille)\s+\d{1,2}\s*(e|er|eme|ieme|em)?(\s+arrondissement)?$"
)
_BIG_CITY_INSEE = {"paris": "75056", "lyon": "69123", "marseille": "13055"}


def default_reference_path() -> Path:
    """``$TREMPLIN_REFERENCE_DIR/communes.csv``, else ``<repo>/data/reference/communes.csv``."""
    override = os.environ.get(REFERENCE_DIR_ENV)
    base = Path(override) if override else Path(__file__).resolve().parents[2] / "data" / "reference"
    return base / "communes.csv"


class CommuneIndex:
    """In-memory index of the communes: by INSEE code, postcode and normalised name."""

    def __init__(self, communes: Iterable[Commune]) -> None:
        by_insee: dict[str, Commune] = {}
        by_postcode: dict[str, list[Commune]] = {}
        by_departement: dict[str, list[Commune]] = {}
        for c in communes:
            by_insee[c.insee] = c
            for cp in c.postcodes:
                by_postcode.setdefault(cp, []).append(c)
            by_departement.setdefault(c.departement, []).append(c)
        self._by_insee = by_insee
        self._by_postcode = frozen_by_population(by_postcode)
        self._by_departement = {k: tuple(v) for k, v in by_departement.items()}
        self._names = CommuneNames(by_insee.values())

    # ------------------------------------------------------------------ loading

    @classmethod
    def load(cls, path: Path | None = None) -> CommuneIndex:
        path = path or default_reference_path()
        with open(path, encoding="utf-8", newline="") as fh:
            reader = csv.reader(fh)
            header = next(reader)
            expected = ["insee", "name", "postcodes", "departement", "population", "lat", "lon", "approx"]
            if header != expected:
                raise ValueError(f"{path}: unexpected header {header!r}, expected {expected!r}")
            communes = [
                Commune(
                    insee=insee,
                    name=name,
                    postcodes=tuple(map(sys.intern, postcodes.split())),
                    departement=sys.intern(dep),
                    population=int(pop or 0),
                    lat=float(lat),
                    lon=float(lon),
                    approximate=approx == "1",
                )
                for insee, name, postcodes, dep, pop, lat, lon, approx in reader
            ]
        return cls(communes)

    # ------------------------------------------------------------------ lookups

    def __len__(self) -> int:
        return len(self._by_insee)

    def __iter__(self) -> Iterator[Commune]:
        return iter(self._by_insee.values())

    def __contains__(self, insee: object) -> bool:
        return insee in self._by_insee

    def get(self, insee: str) -> Commune | None:
        return self._by_insee.get(insee.strip().upper())

    def by_postcode(self, code: str) -> list[Commune]:
        """Communes served by a postcode, biggest population first (often several)."""
        return list(self._by_postcode.get(code.replace(" ", ""), ()))

    def in_departement(self, departement: str) -> list[Commune]:
        return list(self._by_departement.get(departement.upper(), ()))

    def nearby(self, lat: float, lon: float, radius_km: float) -> list[tuple[Commune, float]]:
        """Communes within ``radius_km`` of a point, with their distance, nearest first."""
        min_lat, max_lat, min_lon, max_lon = bounding_box(lat, lon, radius_km)
        found = []
        for c in self._by_insee.values():
            if min_lat <= c.lat <= max_lat and min_lon <= c.lon <= max_lon:
                d = haversine_km(lat, lon, c.lat, c.lon)
                if d <= radius_km:
                    found.append((c, d))
        found.sort(key=lambda item: item[1])
        return found

    # ------------------------------------------------------------------ resolution

    def resolve(self, text: str) -> CommuneResolution:
        """Find the commune a person meant by ``text``.

        Accepts a name (any case, with or without accents, hyphens, apostrophes,
        leading article, "St"/"Ste" abbreviations, "s/" for "sur", small typos),
        optionally followed by a département ("Feurs 42", "Saint-Just (42)"), a
        postcode ("42600", "42600 Montbrison") or an INSEE code ("42218").
        """
        norm = normalize(text or "")
        if not norm:
            return CommuneResolution("unknown")

        big = _BIG_CITY_RE.match(norm)
        if big:
            return self._found(self._by_insee.get(_BIG_CITY_INSEE[big["city"]]))

        tokens = norm.split()
        codes = [t for t in tokens if _POSTCODE_RE.match(t)]
        if len(tokens) == 1 and _INSEE_RE.match(norm):
            communes = self.by_postcode(norm)
            if communes:
                return resolution_of(communes)
            commune = self.get(norm)
            return self._found(commune) if commune else CommuneResolution("unknown")
        if len(codes) == 1:
            pool = self.by_postcode(codes[0])
            rest = " ".join(t for t in tokens if t != codes[0])
            if pool:
                res = self._names.match(name_key(rest), pool)
                if res.status != "unknown":
                    return res
            res = self._names.match(name_key(rest), None)
            if res.status == "found":
                # The name is right, the postcode is not theirs: let the caller confirm.
                return CommuneResolution("suggestion", res.communes)
            return res

        match = _DEPT_SUFFIX_RE.match(norm)
        if match and match["dep"].upper() in self._by_departement:
            key = name_key(match["name"])
            res = self._names.match(key, self._by_departement[match["dep"].upper()])
            if res.status != "unknown":
                return res
            # Name unknown in that département: maybe the département is wrong.
            res = self._names.match(key, None)
            if res.status in ("found", "ambiguous"):
                return CommuneResolution("suggestion", res.communes[:MAX_SUGGESTIONS])
            return res
        return self._names.match(name_key(norm), None)

    @staticmethod
    def _found(commune: Commune | None) -> CommuneResolution:
        return CommuneResolution("found", [commune]) if commune else CommuneResolution("unknown")


@functools.lru_cache(maxsize=1)
def get_communes() -> CommuneIndex:
    """The process-wide index, loaded once from :func:`default_reference_path`."""
    return CommuneIndex.load()


def commune_label(insee: str | None, missing: str | None = None) -> str:
    """« Feurs (42110) » for an INSEE code, as every answer shows a commune; a code the reference no
    longer knows is shown as it is (or `missing` when there is no code at all)."""
    commune = get_communes().get(insee) if insee else None
    if commune is not None:
        return commune.label
    return insee or (missing if missing is not None else "")
