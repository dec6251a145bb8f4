"""Measure the masker on a labelled corpus (tests/domain/privacy/*.jsonl): recall per kind of identifying
fragment, and how often a message with nothing to hide is masked anyway (over-masking)."""
from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tremplin.privacy.masker import Audience, analyse

KINDS = ("phone", "email", "handle", "link", "person", "address", "birth_date")
AUDIENCES = {"student": Audience.PUPIL_TO_EMPLOYER, "employer": Audience.EMPLOYER_TO_PUPILS,
             "report": Audience.REPORT_TO_TEAM, "parent": Audience.NOTE_TO_PARENT}
# Small words inside a fragment that may stay visible without identifying anyone.
_CONNECTORS = {"de", "du", "des", "la", "le", "les", "l", "d", "et", "au", "a", "à", "n", "no"}


@dataclass
class Report:
    found: Counter[str] = field(default_factory=Counter)
    total: Counter[str] = field(default_factory=Counter)
    traps: int = 0
    traps_masked: int = 0
    keeps: int = 0
    keeps_masked: int = 0
    misses: list[str] = field(default_factory=list)
    over: list[str] = field(default_factory=list)

    def recall(self, kind: str) -> float:
        return self.found[kind] / self.total[kind] if self.total[kind] else 1.0

    @property
    def over_masking(self) -> float:
        return self.traps_masked / self.traps if self.traps else 0.0

    def lines(self) -> list[str]:
        out = [f"{'kind':<12}{'found':>7}{'total':>7}{'recall':>9}"]
        for kind in KINDS:
            out.append(f"{kind:<12}{self.found[kind]:>7}{self.total[kind]:>7}{self.recall(kind):>9.3f}")
        out.append(f"over-masking: {self.traps_masked}/{self.traps} trap messages = {self.over_masking:.3f}")
        out.append(f"kept fragments masked: {self.keeps_masked}/{self.keeps}")
        return out


def load(folder: Path) -> list[dict[str, Any]]:
    rows = []
    for path in sorted(folder.glob("*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                row = json.loads(line)
                row.setdefault("id", f"{path.stem}:{number}")
                rows.append(row)
    return rows


def _covered(text: str, fragment: str, masked: list[bool]) -> bool:
    """Every occurrence of the fragment has all its meaningful words under a mask."""
    start = text.find(fragment)
    if start < 0:
        raise ValueError(f"fragment not in text: {fragment!r}")
    while start >= 0:
        for word in re.finditer(r"\w+", fragment):
            if word.group(0).lower() in _CONNECTORS:
                continue
            if not all(masked[start + word.start():start + word.end()]):
                return False
        start = text.find(fragment, start + 1)
    return True


def evaluate(rows: list[dict[str, Any]]) -> Report:
    report = Report()
    for row in rows:
        text = row["text"]
        spans = analyse(text, AUDIENCES[row.get("dir", "student")], row.get("known_names", ()))
        masked = [False] * len(text)
        for span in spans:
            masked[span.start:span.end] = [True] * (span.end - span.start)
        if not row["pii"]:
            report.traps += 1
            if spans:
                report.traps_masked += 1
                report.over.append(f"{row['id']}: {' | '.join(text[s.start:s.end] for s in spans)}  «{text}»")
        for kind, fragment in row["pii"]:
            report.total[kind] += 1
            if _covered(text, fragment, masked):
                report.found[kind] += 1
            else:
                report.misses.append(f"{row['id']} {kind}: {fragment!r}  «{text}»")
        for fragment in row.get("keep", ()):
            if fragment in text:
                report.keeps += 1
                at = text.find(fragment)
                if any(masked[at:at + len(fragment)]):
                    report.keeps_masked += 1
    return report
