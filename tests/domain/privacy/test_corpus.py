"""The masker measured on the labelled corpus written for it (tests/domain/privacy/*.jsonl): what identifies a
pupil or a family is hidden, and messages with nothing to hide reach the employer untouched.
The same figures are printed by `scripts/privacy_eval.py`."""
from __future__ import annotations

from pathlib import Path

import pytest

from tremplin.privacy.evaluation import evaluate, load

CORPUS = Path(__file__).parent
FLOORS = {"phone": 0.99, "email": 0.99, "handle": 0.99, "link": 0.99,
          "person": 0.95, "address": 0.95, "birth_date": 0.95}


@pytest.fixture(scope="module")
def report():
    return evaluate(load(CORPUS))


def test_the_corpus_is_big_enough_to_mean_something():
    rows = load(CORPUS)
    assert len(rows) >= 300
    assert sum(1 for r in rows if not r["pii"]) >= 40
    for row in rows:  # every labelled fragment is really in its message
        for _, fragment in row["pii"]:
            assert fragment in row["text"], row["id"]


@pytest.mark.parametrize("kind", sorted(FLOORS))
def test_recall_per_kind_is_above_its_floor(report, kind):
    assert report.total[kind] >= 15, f"too few {kind} fragments to measure"
    assert report.recall(kind) >= FLOORS[kind], "\n".join(m for m in report.misses if f" {kind}:" in m)


def test_messages_with_nothing_to_hide_are_left_alone(report):
    assert report.over_masking <= 0.05, "\n".join(report.over)
