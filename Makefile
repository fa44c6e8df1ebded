# SmartKotim — the only entry points: make demo, make test, make lint, make bench.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench docs setup services chromium wrk clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

# the demo serves at http://127.0.0.1:8000; another port: make demo PORT=8123
PORT ?= 8000
demo: setup
	$(BIN)/smartkotim init
	$(BIN)/smartkotim demo load
	$(BIN)/smartkotim serve --host 127.0.0.1 --port $(PORT)

# Debian's Chromium for the browser tests (never a browser download).
chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium missing: run 'sudo apt-get install chromium' (browser tests will skip)"; fi; \
	fi

# Debian's wrk, the load generator of bench/dashboard.py (it falls back to aiohttp without it).
wrk:
	@if ! command -v wrk >/dev/null; then \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; \
	  else echo "wrk missing: run 'sudo apt-get install wrk' (bench/dashboard.py falls back to aiohttp)"; fi; \
	fi

# PostgreSQL for the second test backend, where it is installed.
services:
	@if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then \
	  for v in $$(ls /etc/postgresql); do \
	    pg_lsclusters -h | grep -q "^$$v *main .*online" || pg_ctlcluster --skip-systemctl-redirect $$v main start; \
	  done; \
	  for i in $$(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done; \
	fi

lint: setup
	$(BIN)/ruff format --check src tests bench
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy src

test: setup chromium services lint
	$(BIN)/pytest -n 2 --dist loadfile

# Regenerate docs/cli.md from the Typer app (tests/test_cli_docs.py fails when it is stale).
docs: setup
	$(BIN)/python -m smartkotim.cli_docs docs/cli.md

# Benchmarks print their figures; the last line of each is one JSON object.
bench: setup wrk
	$(BIN)/python bench/point_lookup.py
	$(BIN)/python bench/ingest.py
	$(BIN)/python bench/dashboard.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
