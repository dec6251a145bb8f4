#!/usr/bin/env bash
# Sets everything up, then runs every test: the NLU checks in .venv-rasa, then the app's suite
# (SQLite and PostgreSQL) in .venv.
# In CI (CI=true) the PostgreSQL tests fail instead of skipping when the server is unreachable.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export RASA_TELEMETRY_ENABLED=false
if [ "${TREMPLIN_SKIP_RASA:-0}" != 1 ]; then
    # NLU and dialogue, in .venv-rasa: validate, train if the inputs changed (cached by hash),
    # held-out evaluation with a 0.85 floor, test stories, unit tests of nlu/.
    bash scripts/nlu_eval.sh
fi
# Undefined names and syntax errors never reach a user: the action server would only log them.
.venv/bin/ruff check --quiet actions bot tremplin nlu tests scripts bench   # rules: pyproject.toml
# Types: tremplin/ strict, bot/ and actions/ checked (files and options: [tool.mypy] in pyproject.toml).
.venv/bin/mypy
exec .venv/bin/python -m pytest -q -p no:cacheprovider "$@"
