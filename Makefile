# SIKETAN: `make run` sets everything up and serves on http://127.0.0.1:8080; `make test` runs the suite.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint format typecheck bench venv clean chromium

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

venv: $(STAMP)

run: $(STAMP)
	$(BIN)/siketan db upgrade
	$(BIN)/siketan nlu train --if-missing
	$(BIN)/siketan serve

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

test: chromium lint typecheck
	$(BIN)/pytest -q

# The browser tests drive Debian's Chromium. As root (CI, a fresh machine) it is installed here,
# as .ci/run does; anyone else is stopped at once with the command to run, not 5 minutes later
# by failing browser tests. CHROMIUM and UID are variables so the test suite can try both paths.
CHROMIUM ?= /usr/bin/chromium
UID ?= $(shell id -u)
chromium:
	@if [ ! -x "$(CHROMIUM)" ]; then \
	  if [ "$(UID)" = 0 ]; then \
	    echo "== installing Debian's chromium for the browser tests (apt-get, about 35 s)"; \
	    DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null || exit 1; \
	  else \
	    echo "make test: the browser tests need Chromium at $(CHROMIUM). Install it first:" >&2; \
	    echo "    sudo apt-get update && sudo apt-get install -y chromium" >&2; \
	    exit 2; \
	  fi; \
	fi

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(STAMP)
	$(BIN)/python benchmarks/webchat_throughput.py
	$(BIN)/python benchmarks/nlu_latency.py
	$(BIN)/python benchmarks/ktp_ocr.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
