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
# `tremplin run` serves the web side too (chat, widget, dashboard, partners' API) and prints its
# addresses; TREMPLIN_WEB=0 to skip it.
.venv/bin/tremplin run
