"""The Rasa server lives in its own Python 3.10 environment; its pins must not leak into the app."""
from __future__ import annotations

import importlib.util
import os
import subprocess
from pathlib import Path

import pytest

RASA_PY = Path(__file__).resolve().parents[2] / ".venv-rasa" / "bin" / "python"


def _require_rasa_env() -> None:
    if not RASA_PY.exists():
        if os.environ.get("CI"):
            pytest.fail("CI must build .venv-rasa (scripts/setup.sh)")
        pytest.skip("no .venv-rasa here: run scripts/setup.sh")


def test_rasa_environment_runs_rasa_3_6_on_python_3_10():
    _require_rasa_env()
    out = subprocess.run([str(RASA_PY), "-c", "import sys, rasa; print(rasa.__version__, sys.version_info[:2])"],
                         capture_output=True, text=True, timeout=300,
                         env={**os.environ, "RASA_TELEMETRY_ENABLED": "false"})
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split()[0] == "3.6.21"
    assert "(3, 10)" in out.stdout


def test_app_environment_does_not_carry_rasa_or_its_pins():
    import sqlalchemy
    assert importlib.util.find_spec("rasa") is None
    assert int(sqlalchemy.__version__.split(".")[0]) >= 2
