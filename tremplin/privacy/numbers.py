"""French numbers written in words, turned into digits before matching (« zéro six douze… » is a phone
number), with a map back to the original text so that the masks land on what the user typed."""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from text_to_num import alpha2digit

_NUMBER_WORDS = (
    "zéro|zero|un|une|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze|treize|quatorze|quinze|seize|"
    "vingts?|trente|quarante|cinquante|soixante|septante|octante|huitante|nonante|cents?|mille|et")
_TOKEN = rf"(?:\d+|(?:{_NUMBER_WORDS})(?:-(?:{_NUMBER_WORDS}))*)"
# A run of number words and digits separated by spaces, dots, dashes or commas.
_RUN = re.compile(rf"(?<![\w@]){_TOKEN}(?:[\s.,\-/]+{_TOKEN})*(?![\w@])", re.IGNORECASE)
_WORD = re.compile(rf"(?:{_NUMBER_WORDS})", re.IGNORECASE)


@dataclass(frozen=True)
class Rewritten:
    """A text with some runs replaced; `original_span` maps a span of `text` back to the source."""
    source: str
    text: str
    # (start in text, end in text, start in source, end in source) of each replaced run, in order
    pieces: tuple[tuple[int, int, int, int], ...]

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        return self._position(start, is_end=False), self._position(end, is_end=True)

    def _position(self, at: int, is_end: bool) -> int:
        i = bisect_right([p[0] for p in self.pieces], at) - 1  # the last run starting at or before `at`
        if i < 0:
            return at
        new_start, new_end, old_start, old_end = self.pieces[i]
        if at == new_start:
            return old_start
        if at < new_end:  # inside a rewritten run: widen to the whole run as typed
            return old_end if is_end else old_start
        return at - new_end + old_end


def _digits_for(run: str) -> str:
    folded = re.sub(r"\bzero\b", "zéro", run, flags=re.IGNORECASE)
    return str(alpha2digit(folded, "fr"))  # text_to_num has no type information


def spell_out_numbers(text: str) -> Rewritten:
    """Replace runs that contain number words (« zéro six douze ») by their digits (« 06 12 »)."""
    out: list[str] = []
    pieces: list[tuple[int, int, int, int]] = []
    cursor = 0
    length = 0
    for match in _RUN.finditer(text):
        run = match.group(0)
        words = _WORD.findall(run)
        # « un », « une », « et » alone are articles and conjunctions, not numbers worth rewriting.
        if not [w for w in words if w.lower() not in ("un", "une", "et")]:
            continue
        digits = _digits_for(run)
        if digits == run:
            continue
        before = text[cursor:match.start()]
        out.append(before)
        length += len(before)
        pieces.append((length, length + len(digits), match.start(), match.end()))
        out.append(digits)
        length += len(digits)
        cursor = match.end()
    out.append(text[cursor:])
    return Rewritten(text, "".join(out), tuple(pieces))
