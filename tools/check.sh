#!/usr/bin/env bash
# Static checks, run by `make test` before the tests (and alone by `make check`):
#   ruff check roi_models tests benchmarks   the rules of [tool.ruff] in pyproject.toml
#   mypy roi_models                          the settings of [tool.mypy] in pyproject.toml
# Exit status 1 if either finds anything. Tools come from .venv/bin (VENV_BIN=... for another).
set -uo pipefail
cd "$(dirname "$0")/.."
bin="${VENV_BIN:-.venv/bin}"
status=0
echo "ruff check roi_models tests benchmarks"
"$bin/ruff" check --quiet roi_models tests benchmarks || status=1
echo "mypy roi_models"
"$bin/mypy" roi_models || status=1
if [ "$status" -ne 0 ]; then
  echo "tools/check.sh: static checks failed (see above)" >&2
fi
exit "$status"
