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
echo "Modèle de langue : entraînement s'il a changé (environ 5 minutes la première fois)…"
bash scripts/nlu_train.sh > /dev/null
# The web side (chat, widget, dashboard, partners' API) beside the assistant; TREMPLIN_WEB=0 to skip.
if [ "${TREMPLIN_WEB:-1}" != 0 ]; then
    .venv/bin/tremplin web < /dev/null > /dev/null 2>&1 &
    WEB_PID=$!
    trap 'kill "$WEB_PID" 2>/dev/null || true' EXIT
    .venv/bin/python -c 'from bot.web.launch import addresses; from tremplin.settings import get_settings
print("\n".join("[tremplin] " + line for line in addresses(get_settings().web_public_url)))'
fi
.venv/bin/tremplin run
