"""Recall per kind of identifying fragment and over-masking of the masker on the labelled corpus.

    .venv/bin/python scripts/privacy_eval.py [--misses]
"""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tremplin.privacy.evaluation import evaluate, load  # noqa: E402


def main() -> int:
    corpus = ROOT / "tests" / "domain" / "privacy"
    for title, folder in (("corpus (tuned on, floors in tests/domain/privacy/test_corpus.py)", corpus),
                          ("fresh held-out set (never tuned on)", corpus / "heldout")):
        rows = load(folder)
        report = evaluate(rows)
        print(f"\n{title}: {len(rows)} messages, {report.traps} with nothing to hide")
        print("\n".join(report.lines()))
    if "--misses" in sys.argv:
        print("\nmissed:", *report.misses, sep="\n  ")
        print("\nover-masked:", *report.over, sep="\n  ")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
