"""French communes reference data (``data/reference/communes.csv``) and a tolerant resolver.

The CSV is built by ``scripts/build_communes.py`` from Etalab's découpage
administratif (INSEE codes, names, postcodes, populations) and GeoNames
(coordinates); see ``data/reference/ATTRIBUTION.md``.  Nothing is downloaded at
run time.

Typical use::

    res = get_communes().resolve("st etienne")
    if res.status == "found":
        commune = res.communes[0]
"""
from __future__ import annotations

import bisect
import csv
import functools
import itertools
import sys
import os
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from rapidfuzz import fuzz, process

from tremplin.geography.distance import bounding_box, haversine_km
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

#: INSEE's historical definition of a rural commune: fewer than 2,000 inhabitants
#: (the "unité urbaine" threshold used until the 2020 density-based grid).
#: It is a population test on the commune alone, which is what the rest of the
#: project needs (e.g. "collège rural"), not the newer "grille de densité".
RURAL_POPULATION_THRESHOLD = 2000

ResolutionStatus = Literal["found", "ambiguous", "suggestion", "unknown"]

#: Environment variable naming a directory that holds ``communes.csv`` (tests, packaging).
REFERENCE_DIR_ENV = "TREMPLIN_REFERENCE_DIR"

# Fuzzy matching (rapidfuzz ``fuzz.ratio`` on normalised names, 0-100).
_FUZZY_CUTOFF = 80.0
_FUZZY_CUTOFF_SHORT = 85.0  # queries of 5 characters or fewer
_MAX_SUGGESTIONS = 3

_TOKEN_ALIASES = {
    "st": "saint",
    "ste": "sainte",
    "sts": "saints",
    "stes": "saintes",
    "mt": "mont",
    "ss": "sous",
    "s": "sur",  # "Chalon-s/-Saône"
}
_ALIASED = frozenset(_TOKEN_ALIASES)
_ARTICLES = frozenset({"le", "la", "les", "l"})
_POSTCODE_RE = re.compile(r"^\d{5}$")
_INSEE_RE = re.compile(r"^(\d{5}|2[ab]\d{3})$")
_DEPT_SUFFIX_RE = re.compile(r"^(?P<name>.*[a-z].*?)\s+(?P<dep>\d{2}|2a|2b|9[78]\d)$")
_BIG_CITY_RE = re.compile(
    r"^(?P<city>paris|lyon|marseille)\s+\d{1,2}\s*(e|er|eme|ieme|em)?(\s+arrondissement)?$"
)
_BIG_CITY_INSEE = {"paris": "75056", "lyon": "69123", "marseille": "13055"}


@dataclass(frozen=True, slots=True)
class Commune:
    insee: str
    name: str
    postcodes: tuple[str, ...]
    departement: str
    population: int
    lat: float
    lon: float
    #: True when lat/lon are an estimate (centroid of the neighbouring communes
    #: sharing a postcode, or of the département), not the commune's own point:
    #: good to ~10-20 km, fine for "within 30 km", not for a map pin.
    approximate: bool

    @property
    def rural(self) -> bool:
        """Fewer than 2,000 inhabitants: INSEE's historical rural threshold."""
        return self.population < RURAL_POPULATION_THRESHOLD

    @property
    def label(self) -> str:
        """Display name with the département, e.g. ``"Feurs (42)"``."""
        return f"{self.name} ({self.departement})"

    def distance_km(self, other: Commune) -> float:
        return haversine_km(self.lat, self.lon, other.lat, other.lon)


@dataclass(frozen=True, slots=True)
class CommuneResolution:
    """Outcome of :meth:`CommuneIndex.resolve`.

    * ``found``: ``communes`` holds exactly the matched commune;
    * ``ambiguous``: several communes fit (homonyms, shared postcode, partial
      name): all of them, biggest population first;
    * ``suggestion``: no exact match, but close names (typos) or a name that
      only exists outside the given département: up to 3, best first;
    * ``unknown``: nothing plausible, ``communes`` is empty.
    """

    status: ResolutionStatus
    communes: list[Commune] = field(default_factory=list)

    @property
    def commune(self) -> Commune | None:
        """The commune when ``status == "found"``, else ``None``."""
        return self.communes[0] if self.status == "found" and self.communes else None


def name_key(text: str) -> str:
    """Canonical form of a commune name for matching.

    ``normalize`` (case, accents, punctuation) plus "st"/"ste" -> "saint"/"sainte",
    "s/" -> "sur", "ss" -> "sous", "mt" -> "mont".  Spaces are kept.
    """
    norm = normalize(text)
    tokens = norm.split(" ")
    if _ALIASED.isdisjoint(tokens):
        return norm
    return " ".join(
        _TOKEN_ALIASES.get(tok, tok) if (i or tok not in ("s", "ss")) else tok
        for i, tok in enumerate(tokens)
    )


def _strip_article(key: str) -> str:
    head, _, rest = key.partition(" ")
    return rest if rest and head in _ARTICLES else key


def _compact(key: str) -> str:
    return key.replace(" ", "")


def _by_population(communes: Iterable[Commune]) -> list[Commune]:
    return sorted(communes, key=lambda c: (-c.population, c.insee))


def _freeze(table: dict[str, list[Commune]]) -> dict[str, tuple[Commune, ...]]:
    return {k: tuple(v) if len(v) == 1 else tuple(_by_population(v)) for k, v in table.items()}


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
        # Compact keys (no spaces, so "lachapelle" == "la chapelle"): the full name,
        # and, for names with a leading article only, the name without it.
        by_key: dict[str, list[Commune]] = {}
        by_stripped: dict[str, list[Commune]] = {}
        for c in communes:
            by_insee[c.insee] = c
            for cp in c.postcodes:
                by_postcode.setdefault(cp, []).append(c)
            by_departement.setdefault(c.departement, []).append(c)
            key = name_key(c.name)
            by_key.setdefault(_compact(key), []).append(c)
            stripped = _strip_article(key)
            if stripped != key:
                by_stripped.setdefault(_compact(stripped), []).append(c)
        self._by_insee = by_insee
        self._by_postcode = _freeze(by_postcode)
        self._by_departement = {k: tuple(v) for k, v in by_departement.items()}
        self._by_key = _freeze(by_key)
        self._by_stripped = _freeze(by_stripped)
        # Spaced keys (with and without article) for prefix and fuzzy matching,
        # built on first use: most look-ups never need them.
        self._spaced: dict[str, tuple[Commune, ...]] | None = None
        self._sorted_keys: list[str] = []

    def _spaced_keys(self) -> dict[str, tuple[Commune, ...]]:
        if self._spaced is None:
            spaced: dict[str, list[Commune]] = {}
            for c in self._by_insee.values():
                key = name_key(c.name)
                spaced.setdefault(key, []).append(c)
                stripped = _strip_article(key)
                if stripped != key:
                    spaced.setdefault(stripped, []).append(c)
            self._sorted_keys = sorted(spaced)
            self._spaced = _freeze(spaced)
        return self._spaced

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
                return self._many(communes)
            commune = self.get(norm)
            return self._found(commune) if commune else CommuneResolution("unknown")
        if len(codes) == 1:
            pool = self.by_postcode(codes[0])
            rest = " ".join(t for t in tokens if t != codes[0])
            if pool:
                res = self._resolve_name(name_key(rest), pool)
                if res.status != "unknown":
                    return res
            res = self._resolve_name(name_key(rest), None)
            if res.status == "found":
                # The name is right, the postcode is not theirs: let the caller confirm.
                return CommuneResolution("suggestion", res.communes)
            return res

        match = _DEPT_SUFFIX_RE.match(norm)
        if match and match["dep"].upper() in self._by_departement:
            key = name_key(match["name"])
            res = self._resolve_name(key, self._by_departement[match["dep"].upper()])
            if res.status != "unknown":
                return res
            # Name unknown in that département: maybe the département is wrong.
            res = self._resolve_name(key, None)
            if res.status in ("found", "ambiguous"):
                return CommuneResolution("suggestion", res.communes[:_MAX_SUGGESTIONS])
            return res
        return self._resolve_name(name_key(norm), None)

    # ------------------------------------------------------------------ internals

    @staticmethod
    def _found(commune: Commune | None) -> CommuneResolution:
        return CommuneResolution("found", [commune]) if commune else CommuneResolution("unknown")

    @staticmethod
    def _many(communes: list[Commune]) -> CommuneResolution:
        if not communes:
            return CommuneResolution("unknown")
        if len(communes) == 1:
            return CommuneResolution("found", list(communes))
        return CommuneResolution("ambiguous", _by_population(communes))

    def _resolve_name(self, key: str, pool: Sequence[Commune] | None) -> CommuneResolution:
        """Exact name, then name without article, then token prefix, then fuzzy."""
        if not key or not any(ch.isalpha() for ch in key):
            return CommuneResolution("unknown")
        allowed = None if pool is None else {c.insee for c in pool}

        def keep(communes: Iterable[Commune]) -> list[Commune]:
            return [c for c in communes if allowed is None or c.insee in allowed]

        compact = _compact(key)
        stripped = _compact(_strip_article(key))
        for candidates in (
            keep(self._by_key.get(compact, ())),
            keep(self._by_stripped.get(compact, ())),
            keep(self._by_key.get(stripped, ()) + self._by_stripped.get(stripped, ())),
        ):
            if candidates:
                return self._many(candidates)

        # Token prefix: "Saint-Just (42)" -> Saint-Just-Saint-Rambert, Saint-Just-en-Chevalet, ...
        if len(compact) >= 3:
            spaced = self._spaced_keys()
            prefix = _strip_article(key) + " "
            seen: dict[str, Commune] = {}
            start = bisect.bisect_left(self._sorted_keys, prefix)
            for k in itertools.takewhile(lambda k: k.startswith(prefix), itertools.islice(self._sorted_keys, start, None)):
                for c in keep(spaced[k]):
                    seen[c.insee] = c
            if len(seen) == 1:
                return CommuneResolution("suggestion", list(seen.values()))
            if seen:
                return CommuneResolution("ambiguous", _by_population(seen.values()))

        return self._fuzzy(key, pool)

    def _fuzzy(self, key: str, pool: Sequence[Commune] | None) -> CommuneResolution:
        lookup: Mapping[str, Sequence[Commune]]
        if pool is None:
            lookup = self._spaced_keys()
            choices: list[str] = self._sorted_keys
        else:
            in_pool: dict[str, list[Commune]] = {}
            for c in pool:
                k = name_key(c.name)
                for variant in {k, _strip_article(k)}:
                    in_pool.setdefault(variant, []).append(c)
            lookup = in_pool
            choices = list(lookup)
        cutoff = _FUZZY_CUTOFF_SHORT if len(_compact(key)) <= 5 else _FUZZY_CUTOFF
        queries = {key, _strip_article(key)}
        scored: dict[str, tuple[float, Commune]] = {}
        for query in queries:
            for choice, score, _ in process.extract(
                query, choices, scorer=fuzz.ratio, score_cutoff=cutoff, limit=25
            ):
                for c in lookup[choice]:
                    if c.insee not in scored or scored[c.insee][0] < score:
                        scored[c.insee] = (score, c)
        if not scored:
            return CommuneResolution("unknown")
        ranked = sorted(scored.values(), key=lambda sc: (-round(sc[0]), -sc[1].population, sc[1].insee))
        return CommuneResolution("suggestion", [c for _, c in ranked[:_MAX_SUGGESTIONS]])


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
