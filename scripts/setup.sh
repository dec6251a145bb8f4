#!/usr/bin/env bash
# Sets up both environments, idempotently:
#   .venv       the app (Python >= 3.11, current libraries), installed from pyproject.toml
#   .venv-rasa  the Rasa server (Python 3.10, pinned by requirements-rasa.txt)
# Re-running is cheap: each environment is rebuilt only when its requirement file changed.
# Set TREMPLIN_SKIP_RASA=1 to skip the Rasa environment (e.g. on a machine that only runs the app).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

find_python() {  # find_python MAJOR.MINOR [min]: prints a matching interpreter path or nothing
    local want=$1 mode=${2:-exact} candidate version
    local candidates=("python$want")
    if [ "$mode" = min ]; then candidates=(python3.13 python3.12 python3.11 python3); fi
    if command -v pyenv >/dev/null 2>&1; then
        for dir in "$(pyenv root)"/versions/*/bin; do candidates+=("$dir/python3"); done
    fi
    for candidate in "${candidates[@]}"; do
        command -v "$candidate" >/dev/null 2>&1 || [ -x "$candidate" ] || continue
        version=$("$candidate" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null) || continue
        if [ "$mode" = min ]; then
            "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null \
                && { command -v "$candidate" || echo "$candidate"; return 0; }
        elif [ "$version" = "$want" ]; then
            command -v "$candidate" || echo "$candidate"; return 0
        fi
    done
    return 1
}

stamp_ok() {  # stamp_ok VENV FILE: true when VENV was built from this exact FILE
    [ -f "$1/.tremplin-stamp" ] && [ "$(cat "$1/.tremplin-stamp")" = "$(sha256sum "$2" | cut -d' ' -f1)" ]
}

# --- app environment ---------------------------------------------------------------------------
if ! stamp_ok .venv pyproject.toml || [ ! -x .venv/bin/tremplin ]; then
    PY=$(find_python 3.11 min) || { echo "Python 3.11 ou plus récent est introuvable : installez-le (par ex. 'pyenv install 3.11') puis relancez." >&2; exit 1; }
    say "app environment .venv with $($PY --version)"
    [ -x .venv/bin/python ] || "$PY" -m venv .venv
    .venv/bin/pip install --quiet --upgrade pip 2>&1 | grep -v '^WARNING: Location' || true
    .venv/bin/pip install --quiet -e '.[test]' 2>&1 | grep -v '^WARNING: Location' || true
    .venv/bin/python -c 'import tremplin.models' || { echo "L'installation de .venv a échoué." >&2; exit 1; }
    sha256sum pyproject.toml | cut -d' ' -f1 > .venv/.tremplin-stamp
else
    say "app environment .venv is up to date"
fi

# --- Rasa environment --------------------------------------------------------------------------
if [ "${TREMPLIN_SKIP_RASA:-0}" = 1 ]; then
    say "Rasa environment skipped (TREMPLIN_SKIP_RASA=1)"
elif ! stamp_ok .venv-rasa requirements-rasa.txt || [ ! -x .venv-rasa/bin/rasa ]; then
    PY310=$(find_python 3.10) || {
        echo "Rasa 3.6 a besoin de Python 3.10, introuvable ici. Installez-le, par exemple :" >&2
        echo "  pyenv install 3.10   (ou : apt-get install python3.10 python3.10-venv)" >&2
        echo "puis relancez ce script. Pour n'installer que l'application : TREMPLIN_SKIP_RASA=1 $0" >&2
        exit 1; }
    say "Rasa environment .venv-rasa with $($PY310 --version) (first time: a few minutes)"
    rm -rf .venv-rasa
    "$PY310" -m venv .venv-rasa
    .venv-rasa/bin/pip install --quiet -r requirements-rasa.txt 2>&1 | grep -v '^WARNING: Location' || true
    RASA_TELEMETRY_ENABLED=false .venv-rasa/bin/python -c 'import rasa, rasa.core.agent' \
        || { echo "L'installation de Rasa dans .venv-rasa a échoué." >&2; exit 1; }
    sha256sum requirements-rasa.txt | cut -d' ' -f1 > .venv-rasa/.tremplin-stamp
else
    say "Rasa environment .venv-rasa is up to date"
fi
# --- browser tests: Debian's Chromium + chromedriver, axe-core from npm --------------------------
# Set TREMPLIN_SKIP_BROWSER=1 to skip (the browser tests then skip, or fail in CI, saying why).
if [ "${TREMPLIN_SKIP_BROWSER:-0}" = 1 ]; then
    say "browser test tools skipped (TREMPLIN_SKIP_BROWSER=1)"
else
    if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then
        say "chromium and chromedriver are installed"
    elif command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
        say "installing chromium and chromium-driver (Debian packages) for the browser tests"
        export DEBIAN_FRONTEND=noninteractive
        { apt-get update -qq && apt-get install -y -qq chromium chromium-driver; } >/dev/null 2>&1 \
            || echo "chromium n'a pas pu être installé par apt-get : les tests dans le navigateur seront sautés." >&2
    else
        echo "apt-get (en root) n'est pas disponible : installez chromium et chromedriver vous-même," \
             "sinon les tests dans le navigateur seront sautés." >&2
    fi
    if command -v npm >/dev/null 2>&1; then
        if [ ! -f node_modules/axe-core/axe.min.js ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
            say "axe-core for the accessibility checks (npm ci)"
            npm ci --no-audit --no-fund --silent >/dev/null 2>&1 || npm install --no-audit --no-fund --silent >/dev/null \
                || echo "npm n'a pas pu installer axe-core : les tests dans le navigateur seront sautés." >&2
        else
            say "axe-core is up to date"
        fi
    else
        echo "npm est introuvable (apt-get install -y npm) : les tests dans le navigateur seront sautés." >&2
    fi
fi
say "ready (app: $ROOT/.venv, Rasa: $ROOT/.venv-rasa)"
