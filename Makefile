# Forum — every target a newcomer needs. `make run` and `make test` work on a fresh machine.
PYTHON ?= python3.11
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: install run demo serve test lint typecheck unit browser-deps bench clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev,fuzz]"
	@touch $(STAMP)

install: $(STAMP)

## run: set everything up, load the 2019 scenarios, start the service and print its URL
run: install
	$(VENV)/bin/forum demo
	$(VENV)/bin/forum serve

serve: install
	$(VENV)/bin/forum serve

## browser-deps: Debian's Chromium (for page tests) and axe-core (accessibility checks)
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium…"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core) \
	  || sudo sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core'; }
	@test -f node_modules/axe-core/axe.min.js || npm install --no-audit --no-fund --loglevel=error

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: install
	$(VENV)/bin/mypy

## test: install what the tests need, check style and types, run every test against a real PostgreSQL
test: install browser-deps lint typecheck
	$(VENV)/bin/pytest -q

unit: install
	$(VENV)/bin/pytest -q tests/domain

## bench: ratios against ceilings measured in the same run; results in bench/results/
bench: install
	@command -v wrk >/dev/null 2>&1 || { \
	  echo "installing Debian's wrk (the load of benchmark 6)…"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk) \
	  || sudo sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk' \
	  || echo "wrk unavailable: benchmark 6 drives the load with its own asyncio client"; }
	$(PY) -m bench

clean:
	rm -rf $(VENV) node_modules .pytest_cache .ruff_cache .mypy_cache
