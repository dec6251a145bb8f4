#!/usr/bin/env bash
# Train the Rasa model only when its inputs changed (.venv-rasa):
#   1. regenerate the lookup tables and synonyms from data/reference (deterministic, committed);
#   2. `rasa data validate`, strict (scripts/nlu_validate.py);
#   3. train models/tremplin-<hash>.tar.gz unless it exists: the hash (scripts/nlu_model_hash.py)
#      covers config.yml, domain/, data/nlu/, data/rules/, data/stories.yml, nlu/*.py and
#      requirements-rasa.txt; models/tremplin-latest.tar.gz points at it.
# Prints the model path on its last line. Used by scripts/nlu_eval.sh (tests) and by the run script.
set -euo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=3 SQLALCHEMY_SILENCE_UBER_WARNING=1
PY=.venv-rasa/bin/python
RASA=.venv-rasa/bin/rasa
LOGS=${TMPDIR:-/tmp}/tremplin-nlu; mkdir -p "$LOGS"   # logs and reports stay out of the repository
# Rasa's training cache (components reused when only part of the inputs changed) defaults to .rasa/
# in the repository and grows to a gigabyte: keep it with the logs.
export RASA_CACHE_DIRECTORY=${RASA_CACHE_DIRECTORY:-$LOGS/rasa-cache}
say() { printf '\033[1m[nlu]\033[0m %s\n' "$*" >&2; }
[ -x "$RASA" ] || { echo "no .venv-rasa: run scripts/setup.sh first" >&2; exit 1; }

say "generating lookup tables and synonyms"
"$PY" scripts/nlu_generate.py >&2

say "validating the training data"
"$PY" scripts/nlu_validate.py >&2

HASH=$("$PY" scripts/nlu_model_hash.py)
MODEL=models/tremplin-$HASH.tar.gz
mkdir -p models
if [ -f "$MODEL" ]; then
    say "model up to date: $MODEL"
elif [ "${NLU_NO_TRAIN:-0}" = 1 ]; then
    echo "no model for these inputs ($MODEL) and NLU_NO_TRAIN=1" >&2; exit 1
else
    say "training $MODEL (about 5 minutes on 2 cores; log: $LOGS/train.log)"
    start=$(date +%s)
    "$RASA" train --domain domain --config config.yml --data data/nlu data/rules data/stories.yml \
        --out models --fixed-model-name "tremplin-$HASH" > "$LOGS/train.log" 2>&1 \
        || { tail -n 40 "$LOGS/train.log" >&2; echo "training failed ($LOGS/train.log)" >&2; exit 1; }
    say "trained in $(( $(date +%s) - start )) s"
    # keep the current model and the one before it
    ls -t models/tremplin-[0-9a-f]*.tar.gz 2>/dev/null | tail -n +3 | xargs -r rm -f
fi
ln -sf "$(basename "$MODEL")" models/tremplin-latest.tar.gz
echo "$MODEL"
