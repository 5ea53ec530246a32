# Two commands do everything on a fresh machine with Python 3.11 (see README):
#   make report   builds the CMO report for the default scenario file into reports/
#   make test     runs the static checks (tools/check.sh: ruff, mypy), then the whole test
#                 suite, notebooks and the wheel test included
#   make check    the static checks alone
# Both create .venv when it is missing and install into it; a second call
# does not reinstall unless pyproject.toml changed.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
SCENARIO ?= data/scenarios/b2b_it_services.yaml
REPORT ?= reports/b2b_it_services.html

.PHONY: install test check report bench lab app clean-venv

install: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check uv
	$(VENV)/bin/uv pip install --quiet --python $(PY) -e ".[dev]"
	@touch $(STAMP)

check: $(STAMP)
	tools/check.sh

test: check
	$(PY) -m pytest

report: $(STAMP)
	@mkdir -p reports
	$(VENV)/bin/roi-models report $(SCENARIO) -o $(REPORT) --overwrite

bench: $(STAMP)
	$(PY) benchmarks/run.py
	$(PY) benchmarks/explorer_bench.py

lab: $(STAMP)
	$(VENV)/bin/jupyter lab notebooks/

# The explorer notebook as a web app on this machine only (PORT=8866 by default): Voila with
# the offline "roi" template and idle kernels of closed pages culled (roi_models/explorer/serve.py).
PORT ?= 8866
app: $(STAMP)
	$(PY) -m roi_models.explorer.serve notebooks/01_business_case_explorer.ipynb --port $(PORT)

clean-venv:
	rm -rf $(VENV)
