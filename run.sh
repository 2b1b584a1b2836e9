#!/usr/bin/env bash
# One command on a fresh machine (needs only Python 3.10+):
#   ./run.sh [agent flags]      set up .venv, install, create .env, run the agent
#   ./run.sh test [pytest args] set up .venv with the test tools, run ruff, mypy and the tests
set -euo pipefail
cd "$(dirname "$0")"

PYTHON=${PYTHON:-python3}
VENV=.venv
mode=agent
if [ "${1:-}" = "test" ]; then mode=test; shift; fi

if [ ! -x "$VENV/bin/python" ]; then
    echo "Creating $VENV ..."
    "$PYTHON" -m venv "$VENV"
fi
PY="$VENV/bin/python"

# Reinstall only when the project's requirements changed (fast start-up on later runs).
extras=""
stamp="$VENV/.autogpt-installed"
if [ "$mode" = test ]; then
    extras="[test]"
    stamp="$stamp-test"
fi
want=$(cat pyproject.toml requirements.txt 2>/dev/null | cksum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "Installing autogpt$extras into $VENV ..."
    "$PY" -m pip install --quiet --upgrade pip
    "$PY" -m pip install --quiet -e ".$extras"
    echo "$want" > "$stamp"
fi

if [ "$mode" = agent ]; then
    if [ ! -f .env ]; then
        cp .env.template .env
        echo "Created .env from .env.template: put your OPENAI_API_KEY there (or enter it when asked)."
    fi
    # Hints such as "Resume with: ..." name the command the user typed, not `python -m autogpt`.
    case "$0" in */*) launcher=$0 ;; *) launcher=./$0 ;; esac
    AUTOGPT_LAUNCHER=$(printf '%q' "$launcher")
    export AUTOGPT_LAUNCHER
    exec "$PY" -m autogpt "$@"
fi

# Tests. The tokenizer rank files beside the checkout, when present, keep tiktoken offline.
if [ -z "${TIKTOKEN_CACHE_DIR:-}" ] && [ -d ../shared/tiktoken ]; then
    export TIKTOKEN_CACHE_DIR="$(cd ../shared/tiktoken && pwd)"
fi
export NO_PROXY="127.0.0.1,localhost${NO_PROXY:+,$NO_PROXY}"
"$PY" -m ruff check autogpt tests bench
"$PY" -m ruff format --check autogpt tests bench
"$PY" -m mypy  # strict, over autogpt/, tests/ and bench/ (pyproject.toml [tool.mypy])
set +e
"$PY" -m pytest "$@"
status=$?
set -e
if [ "$status" -eq 5 ]; then
    echo "pytest collected no tests: that is a failure." >&2
    exit 1
fi
exit "$status"
