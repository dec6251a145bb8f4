#!/usr/bin/env bash
# Sets everything up, then runs every test: the app's suite (SQLite and PostgreSQL) in .venv.
# In CI (CI=true) the PostgreSQL tests fail instead of skipping when the server is unreachable.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export RASA_TELEMETRY_ENABLED=false
exec .venv/bin/python -m pytest -q -p no:cacheprovider "$@"
