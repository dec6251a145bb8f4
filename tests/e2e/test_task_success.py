"""The task-success suite in the test run: the smoke set (one or two conversations per journey) on
every run, the full set in CI (CI=true) or with TREMPLIN_TASKS=full. Fails under suite.FLOOR.
Details and the CLI: scripts/task_success.py."""
from __future__ import annotations

import asyncio
import os
import re
from pathlib import Path

import pytest

from tests.support.stack import require_stack
from tests.support.tasks.engine import Answer, Say
from tests.support.tasks.suite import FLOOR, all_cases, report, run_suite, select
from tremplin.settings import REPO_ROOT

# PTB's own rate limiter reads RetryAfter.retry_after, deprecated in 22.x (not our code).
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
ANNOTATION = re.compile(r"\[([^\]]*)\](?:\([^)]*\)|\{[^}]*\})")


def _typed(case) -> list[str]:
    texts = []
    for step in case.steps:
        if isinstance(step, Say):
            texts.append(step.text)
        elif isinstance(step, Answer):
            texts += [rule.then.text for rule in step.rules if isinstance(rule.then, Say)]
    return texts


def _nlu_sentences() -> set[str]:
    """Every example of the NLU training data and held-out sets (the indented `- ` lines of their
    `examples: |` blocks), annotations removed, normalised."""
    from tests.support.tasks.engine import norm
    files = [*(REPO_ROOT / "data" / "nlu" / "examples").glob("*.yml"), *(REPO_ROOT / "tests" / "nlu").glob("*.yml")]
    return {norm(ANNOTATION.sub(r"\1", match.group(1))) for path in files
            for match in re.finditer(r"^\s{2,}- (.+)$", path.read_text(), re.M)}


def test_cases_are_many_varied_and_written_apart_from_the_nlu_data():
    from tests.support.tasks.engine import norm
    cases = all_cases()
    assert len(cases) >= 150
    journeys = {case.journey for case in cases}
    assert {case.journey for case in select(cases, smoke=True)} == journeys  # the smoke set covers each
    nlu = _nlu_sentences()
    # Short universal answers (« oui », « annuler », a code) are shared by nature; sentences are not.
    copied = sorted({text for case in cases for text in _typed(case)
                     if len(text.split()) >= 4 and norm(text) in nlu})
    assert not copied, f"persona sentences copied from the NLU data: {copied}"


def test_task_success_rate(tmp_path: Path):
    require_stack()
    full = bool(os.environ.get("CI")) or os.environ.get("TREMPLIN_TASKS") == "full"
    cases = select(all_cases(), smoke=not full)
    results, seconds = asyncio.run(run_suite(tmp_path, cases))
    text = report(results, seconds)
    print(text)
    rate = sum(r.ok for r in results) / len(results)
    assert rate >= FLOOR, f"task success {rate:.3f} under the floor {FLOOR}:\n{text}"
