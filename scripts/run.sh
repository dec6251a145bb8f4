#!/usr/bin/env bash
# Sets everything up and starts Tremplin: migrates the database (SQLite under var/ unless
# DATABASE_URL says otherwise), loads the demo data and shows the figures, then starts the assistant.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export RASA_TELEMETRY_ENABLED=false
.venv/bin/tremplin migrate
.venv/bin/tremplin seed-demo
.venv/bin/tremplin stats
if .venv/bin/tremplin --help 2>/dev/null | grep -q ' run '; then
    exec .venv/bin/tremplin run
fi
echo "La base de démonstration est prête. L'assistant lui-même arrive avec les prochains lots."
