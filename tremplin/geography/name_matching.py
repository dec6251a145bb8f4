"""Finding the communes a name key means: exact name, name without article, token prefix, then typos (fuzzy)."""
from __future__ import annotations

import bisect
import itertools
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from rapidfuzz import fuzz, process

from tremplin.geography.commune import Commune, by_population, frozen_by_population
from tremplin.geography.names import compact, name_key, strip_article

__all__ = ["MAX_SUGGESTIONS", "CommuneNames", "CommuneResolution", "ResolutionStatus", "resolution_of"]

ResolutionStatus = Literal["found", "ambiguous", "suggestion", "unknown"]

# Fuzzy matching (rapidfuzz ``fuzz.ratio`` on normalised names, 0-100).
_FUZZY_CUTOFF = 80.0
_FUZZY_CUTOFF_SHORT = 85.0  # queries of 5 characters or fewer
MAX_SUGGESTIONS = 3


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


def resolution_of(communes: list[Commune]) -> CommuneResolution:
    """``found`` for one commune, ``ambiguous`` (biggest first) for several, ``unknown`` for none."""
    if not communes:
        return CommuneResolution("unknown")
    if len(communes) == 1:
        return CommuneResolution("found", list(communes))
    return CommuneResolution("ambiguous", by_population(communes))


class CommuneNames:
    """The communes by normalised name (:func:`name_key`), for :meth:`match`."""

    def __init__(self, communes: Collection[Commune]) -> None:
        # Compact keys (no spaces, so "lachapelle" == "la chapelle"): the full name,
        # and, for names with a leading article only, the name without it.
        by_key: dict[str, list[Commune]] = {}
        by_stripped: dict[str, list[Commune]] = {}
        for c in communes:
            key = name_key(c.name)
            by_key.setdefault(compact(key), []).append(c)
            stripped = strip_article(key)
            if stripped != key:
                by_stripped.setdefault(compact(stripped), []).append(c)
        self._communes = communes
        self._by_key = frozen_by_population(by_key)
        self._by_stripped = frozen_by_population(by_stripped)
        # Spaced keys (with and without article) for prefix and fuzzy matching,
        # built on first use: most look-ups never need them.
        self._spaced: dict[str, tuple[Commune, ...]] | None = None
        self._sorted_keys: list[str] = []

    def _spaced_keys(self) -> dict[str, tuple[Commune, ...]]:
        if self._spaced is None:
            spaced: dict[str, list[Commune]] = {}
            for c in self._communes:
                key = name_key(c.name)
                spaced.setdefault(key, []).append(c)
                stripped = strip_article(key)
                if stripped != key:
                    spaced.setdefault(stripped, []).append(c)
            self._sorted_keys = sorted(spaced)
            self._spaced = frozen_by_population(spaced)
        return self._spaced

    def match(self, key: str, pool: Sequence[Commune] | None) -> CommuneResolution:
        """Exact name, then name without article, then token prefix, then fuzzy.

        ``pool``: only these communes may be found (``None``: all of them)."""
        if not key or not any(ch.isalpha() for ch in key):
            return CommuneResolution("unknown")
        allowed = None if pool is None else {c.insee for c in pool}

        def keep(communes: Iterable[Commune]) -> list[Commune]:
            return [c for c in communes if allowed is None or c.insee in allowed]

        compacted = compact(key)
        stripped = compact(strip_article(key))
        for candidates in (
            keep(self._by_key.get(compacted, ())),
            keep(self._by_stripped.get(compacted, ())),
            keep(self._by_key.get(stripped, ()) + self._by_stripped.get(stripped, ())),
        ):
            if candidates:
                return resolution_of(candidates)

        # Token prefix: "Saint-Just (42)" -> Saint-Just-Saint-Rambert, Saint-Just-en-Chevalet, ...
        if len(compacted) >= 3:
            spaced = self._spaced_keys()
            prefix = strip_article(key) + " "
            seen: dict[str, Commune] = {}
            start = bisect.bisect_left(self._sorted_keys, prefix)
            for k in itertools.takewhile(lambda k: k.startswith(prefix), itertools.islice(self._sorted_keys, start, None)):
                for c in keep(spaced[k]):
                    seen[c.insee] = c
            if len(seen) == 1:
                return CommuneResolution("suggestion", list(seen.values()))
            if seen:
                return CommuneResolution("ambiguous", by_population(seen.values()))

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
                for variant in {k, strip_article(k)}:
                    in_pool.setdefault(variant, []).append(c)
            lookup = in_pool
            choices = list(lookup)
        cutoff = _FUZZY_CUTOFF_SHORT if len(compact(key)) <= 5 else _FUZZY_CUTOFF
        queries = {key, strip_article(key)}
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
        return CommuneResolution("suggestion", [c for _, c in ranked[:MAX_SUGGESTIONS]])
