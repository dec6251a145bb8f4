"""The métier référentiel: appellations keyed by ROME code, and how free text resolves to them.

The data lives in ``data/reference/metiers.json`` (see that folder's ATTRIBUTION.md): 14 ROME
domains (letters A to N), aliases for the domains, and appellations, each with its ROME code,
masculine/neutral and feminine labels, everyday aliases, environment tags and a one-line
description a collégien understands.

Text matching is forgiving: case, accents, punctuation and hyphens are ignored
(:func:`tremplin.text.normalize`), plurals are folded (:func:`~tremplin.metiers.environments.singular`),
articles and filler words ("je veux être", "le métier de", "travailler dans"...) are dropped, and
typos are caught with rapidfuzz.
"""
from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from rapidfuzz import fuzz, process

from tremplin.metiers.environments import ENVIRONMENTS, singular, tokens

__all__ = [
    "DEFAULT_PATH",
    "Metier",
    "MetierResolution",
    "REFERENCE_DIR_ENV",
    "Referentiel",
    "get_referentiel",
]

REFERENCE_DIR_ENV = "TREMPLIN_REFERENCE_DIR"
DEFAULT_PATH = Path(__file__).resolve().parents[2] / "data" / "reference" / "metiers.json"
FILE_NAME = "metiers.json"

_ROME_RE = re.compile(r"^[A-N]\d{4}$")
_MAX_SUGGESTIONS = 3
_FUZZY_CUTOFF = 75.0        # whole query against a key (fuzz.ratio, 0-100)
_FUZZY_PART_CUTOFF = 85.0   # a word group of a longer query against a key
_PREFIX_SCORE = 88.0        # the query is the beginning of a key ("controleur" -> "controleur aerien")
_SUGGESTION_SPREAD = 10.0   # suggestions scoring this much below the best one are dropped
_DOMAIN_FUZZY_CUTOFF = 85.0
_MIN_CONTAINED_KEY = 3      # keys shorter than this ("as", "go") only match the whole query

# Articles, prepositions and the words students wrap a métier in. Dropped from both the
# query and the keys, so "chauffeur de bus" and "chauffeur bus" are the same key.
_STOPWORDS = frozenset(singular(w) for w in """
    le la les l un une des de du d en a au aux et ou dans pour sur chez avec comme par vers
    je j tu il elle on nous vous ils elles me m moi te t se s ce c ca cela ceci cet cette ces
    mon ma mes ton ta tes notre nos votre vos leur leurs qui que qu quoi dont y
    est es suis sera serai serait etre devenir faire fais fait veux veut voudrais voudrait
    aimerais aimerait aimerai aime adore kiffe souhaite souhaiterais pense prefere voir
    travailler travail bosser metier job boulot profession stage observation
    plus tard quand grand grande genre truc style bah ben euh heu bon ok oui bonjour salut
    peut peutetre decouvrir essayer apprendre trouver cherche tres vraiment trop
    domaine secteur milieu filiere branche univers monde
""".split())  # singularised like the tokens they are compared with ("dans" -> "dan")

Status = Literal["found", "ambiguous", "suggestion", "unknown"]


@dataclass(frozen=True, slots=True)
class Metier:
    """One appellation of the référentiel (several may share a ROME code)."""

    rome: str
    domain: str
    label: str
    feminine: str | None
    aliases: tuple[str, ...]
    environments: tuple[str, ...]
    description: str

    def display(self, feminine: bool = False) -> str:
        """The label to show, in the feminine when asked and when there is one."""
        return self.feminine if feminine and self.feminine else self.label


@dataclass(frozen=True, slots=True)
class MetierResolution:
    """What a piece of text resolved to.

    * ``found``: one métier, ``metiers == [it]``;
    * ``ambiguous``: the text names several métiers equally well ("prof", "ingénieur",
      "informatique", "boulanger ou pâtissier"): ask which one;
    * ``suggestion``: no exact match, up to 3 close candidates (typos): "tu veux dire... ?";
    * ``unknown``: nothing close, ``metiers == []``.
    """

    status: Status
    metiers: list[Metier] = field(default_factory=list)

    @property
    def metier(self) -> Metier | None:
        """The métier when ``status == "found"``, else ``None``."""
        return self.metiers[0] if self.status == "found" else None


def _canon(text: str) -> str:
    """Matching form: normalised, singularised tokens minus stopwords and filler words."""
    return " ".join(t for t in tokens(text) if t not in _STOPWORDS)


def _ngrams(words: list[str], max_size: int) -> Iterable[str]:
    for size in range(min(max_size, len(words)), 0, -1):
        for i in range(len(words) - size + 1):
            yield " ".join(words[i:i + size])


def _contained(query: str, keys: Iterable[str]) -> list[str]:
    """Keys appearing in *query* as whole words, longest first (all keys of the top length)."""
    padded = f" {query} "
    hits = [k for k in keys if len(k) >= _MIN_CONTAINED_KEY and f" {k} " in padded]
    if not hits:
        return []
    best = max(len(k) for k in hits)
    return [k for k in hits if len(k) == best]


class Referentiel:
    """The métiers and domains, with their text indexes. Build with :meth:`load`."""

    def __init__(self, metiers: Sequence[Metier], domains: Mapping[str, str],
                 domain_aliases: Mapping[str, Sequence[str]] | None = None) -> None:
        self._metiers: tuple[Metier, ...] = tuple(metiers)
        self._domains: dict[str, str] = dict(domains)
        self._order = {id(m): i for i, m in enumerate(self._metiers)}
        self._by_rome: dict[str, list[Metier]] = {}
        self._by_domain: dict[str, list[Metier]] = {letter: [] for letter in self._domains}
        # canonical key -> métiers, for labels (tier 1) and aliases (tier 2)
        self._labels: dict[str, list[Metier]] = {}
        self._aliases: dict[str, list[Metier]] = {}
        for m in self._metiers:
            self._by_rome.setdefault(m.rome, []).append(m)
            self._by_domain.setdefault(m.domain, []).append(m)
            for name in (m.label, m.feminine):
                if name:
                    self._add(self._labels, name, m)
            for alias in m.aliases:
                self._add(self._aliases, alias, m)
        self._all_keys: dict[str, list[Metier]] = {}
        for index in (self._labels, self._aliases):
            for key, found in index.items():
                bucket = self._all_keys.setdefault(key, [])
                bucket.extend(x for x in found if x not in bucket)
        self._key_list = list(self._all_keys)

        self._domain_keys: dict[str, str] = {}
        for letter, name in self._domains.items():
            for text in (name, *(domain_aliases or {}).get(letter, ())):
                key = _canon(text)
                if not key:
                    continue
                other = self._domain_keys.setdefault(key, letter)
                if other != letter:
                    raise ValueError(f"domain alias {text!r} points to both {other} and {letter}")
        self._domain_key_list = list(self._domain_keys)

    @staticmethod
    def _add(index: dict[str, list[Metier]], text: str, metier: Metier) -> None:
        key = _canon(text)
        if key:
            bucket = index.setdefault(key, [])
            if metier not in bucket:
                bucket.append(metier)

    # ------------------------------------------------------------------ loading

    @classmethod
    def load(cls, path: str | os.PathLike[str] | None = None) -> Referentiel:
        """Read and validate the référentiel.

        *path* defaults to ``$TREMPLIN_REFERENCE_DIR/metiers.json`` when that variable is set,
        else to the ``data/reference/metiers.json`` of the repository. Invalid data raises
        :class:`ValueError`.
        """
        if path is None:
            folder = os.environ.get(REFERENCE_DIR_ENV)
            path = Path(folder) / FILE_NAME if folder else DEFAULT_PATH
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
        return cls.from_dict(data)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Referentiel:
        domains: dict[str, str] = dict(data["domains"])
        for letter in domains:
            if not re.fullmatch(r"[A-N]", letter):
                raise ValueError(f"bad domain letter {letter!r}")
        aliases: dict[str, list[str]] = {k: list(v) for k, v in data.get("domain_aliases", {}).items()}
        unknown = set(aliases) - set(domains)
        if unknown:
            raise ValueError(f"aliases for unknown domains {sorted(unknown)}")
        metiers: list[Metier] = []
        seen_labels: dict[str, str] = {}
        for raw in data["metiers"]:
            metier = _metier_from_dict(raw, domains)
            key = _canon(metier.label)
            if key in seen_labels:
                raise ValueError(f"duplicate label {metier.label!r} (also {seen_labels[key]!r})")
            seen_labels[key] = metier.label
            metiers.append(metier)
        return cls(metiers, domains, aliases)

    # ------------------------------------------------------------------ plain access

    @property
    def metiers(self) -> tuple[Metier, ...]:
        """All appellations, in file order."""
        return self._metiers

    @property
    def domains(self) -> dict[str, str]:
        """Domain letter -> ROME domain name."""
        return dict(self._domains)

    def by_rome(self, code: str) -> list[Metier]:
        """Appellations of a ROME code (``"d1102"`` works too); ``[]`` when unknown."""
        return list(self._by_rome.get(code.strip().upper(), ()))

    def by_domain(self, letter: str) -> list[Metier]:
        """Appellations of a domain letter, in file order; ``[]`` when unknown."""
        return list(self._by_domain.get(letter.strip().upper(), ()))

    def find_label(self, label: str) -> Metier | None:
        """The métier whose label or feminine label is *label* (case/accents/plural-insensitive)."""
        found = self._labels.get(_canon(label))
        return found[0] if found else None

    # ------------------------------------------------------------------ resolution

    def resolve(self, text: str) -> MetierResolution:
        """Resolve what a student typed to métiers. See :class:`MetierResolution`."""
        query = _canon(text)
        if not query:
            return MetierResolution("unknown", [])

        for index in (self._labels, self._aliases):
            if query in index:
                return self._result(index[query])

        # "je voudrais être boulangère à Lyon": the longest key inside the sentence.
        hits = _contained(query, self._all_keys)
        if hits:
            found: list[Metier] = []
            for key in hits:
                found.extend(m for m in self._all_keys[key] if m not in found)
            return self._result(found)

        suggestions = self._suggest(query)
        if suggestions:
            return MetierResolution("suggestion", suggestions)
        return MetierResolution("unknown", [])

    def _result(self, found: list[Metier]) -> MetierResolution:
        ordered = sorted(found, key=lambda m: self._order[id(m)])
        return MetierResolution("found" if len(ordered) == 1 else "ambiguous", ordered)

    def _suggest(self, query: str) -> list[Metier]:
        if len(query) < 3:
            return []
        scores: dict[int, float] = {}

        def score(key: str, value: float) -> None:
            for m in self._all_keys[key]:
                i = self._order[id(m)]
                scores[i] = max(scores.get(i, 0.0), value)

        for key, value, _ in process.extract(query, self._key_list, scorer=fuzz.ratio,
                                             score_cutoff=_FUZZY_CUTOFF, limit=20):
            score(key, value)
        if len(query) >= 4:
            for key in self._key_list:
                if key.startswith(query + " "):
                    # Labels first, then the keys closest to what was typed.
                    bonus = 1.0 if key in self._labels else 0.0
                    score(key, _PREFIX_SCORE + bonus - 0.1 * (len(key) - len(query)))
        words = query.split()
        if len(words) > 1:
            for part in _ngrams(words, 3):
                if part == query or len(part) < 5:
                    continue
                for key, value, _ in process.extract(part, self._key_list, scorer=fuzz.ratio,
                                                     score_cutoff=_FUZZY_PART_CUTOFF, limit=10):
                    score(key, value)
        if not scores:
            return []
        floor = max(scores.values()) - _SUGGESTION_SPREAD
        ranked = sorted((item for item in scores.items() if item[1] >= floor), key=lambda item: (-item[1], item[0]))
        return [self._metiers[i] for i, _ in ranked[:_MAX_SUGGESTIONS]]

    def resolve_domain(self, text: str) -> str | None:
        """The domain letter named by *text* ("la santé" -> ``"J"``, "le BTP" -> ``"F"``), else ``None``."""
        query = _canon(text)
        if not query:
            return None
        if query in self._domain_keys:
            return self._domain_keys[query]
        letters = {self._domain_keys[k] for k in _contained(query, self._domain_keys)}
        if len(letters) == 1:
            return letters.pop()
        if letters:
            return None
        best = process.extract(query, self._domain_key_list, scorer=fuzz.ratio,
                               score_cutoff=_DOMAIN_FUZZY_CUTOFF, limit=5)
        if not best:
            return None
        top = best[0][1]
        letters = {self._domain_keys[k] for k, s, _ in best if s == top}
        return letters.pop() if len(letters) == 1 else None

    def by_environments(self, tags: Sequence[str], limit: int = 10) -> list[Metier]:
        """Métiers sharing the most of *tags*, best first (ties keep file order).

        Métiers matching none of the tags are left out. Unknown tags raise :class:`ValueError`.
        """
        wanted = list(dict.fromkeys(tags))
        unknown = [t for t in wanted if t not in ENVIRONMENTS]
        if unknown:
            raise ValueError(f"unknown environment tags {unknown}; expected some of {list(ENVIRONMENTS)}")
        if not wanted or limit <= 0:
            return []
        wanted_set = set(wanted)
        scored = [(len(wanted_set.intersection(m.environments)), i, m) for i, m in enumerate(self._metiers)]
        scored = [item for item in scored if item[0] > 0]
        scored.sort(key=lambda item: (-item[0], item[1]))
        return [m for _, _, m in scored[:limit]]


def _metier_from_dict(raw: Mapping[str, Any], domains: Mapping[str, str]) -> Metier:
    rome = str(raw.get("rome", ""))
    label = str(raw.get("label", "")).strip()
    where = f"{label or '?'} ({rome or '?'})"
    if not _ROME_RE.match(rome):
        raise ValueError(f"{where}: ROME code must look like D1102")
    if rome[0] not in domains:
        raise ValueError(f"{where}: unknown domain {rome[0]}")
    if not label:
        raise ValueError(f"{where}: empty label")
    envs = tuple(raw.get("environments", ()))
    bad = [e for e in envs if e not in ENVIRONMENTS]
    if bad:
        raise ValueError(f"{where}: unknown environments {bad}")
    if not 2 <= len(envs) <= 5 or len(set(envs)) != len(envs):
        raise ValueError(f"{where}: needs 2 to 5 distinct environments")
    description = str(raw.get("description", "")).strip()
    if not description:
        raise ValueError(f"{where}: empty description")
    feminine = raw.get("feminine") or None
    return Metier(
        rome=rome,
        domain=rome[0],
        label=label,
        feminine=str(feminine).strip() if feminine else None,
        aliases=tuple(str(a).strip() for a in raw.get("aliases", ()) if str(a).strip()),
        environments=envs,
        description=description,
    )


@lru_cache(maxsize=1)
def get_referentiel() -> Referentiel:
    """The référentiel, loaded once (``get_referentiel.cache_clear()`` to reload)."""
    return Referentiel.load()
