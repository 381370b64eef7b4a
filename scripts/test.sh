#!/usr/bin/env bash
# Install nlpmetrics with every extra into .venv (CPU-only torch first, so no CUDA build is pulled)
# and run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then python3 -m venv .venv; fi
. .venv/bin/activate
python -m pip install -q --upgrade pip
python -m pip install -q torch==2.13.0
python -m pip install -q -e ".[all,test]"
if ! command -v chromium >/dev/null 2>&1; then
  (apt-get update -qq && apt-get install -y -qq chromium fonts-noto-cjk >/dev/null) || echo "chromium not installed: browser checks will fail" >&2
fi
python -m pytest -n 2 -q "$@"
