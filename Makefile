# Two commands set everything up on a fresh machine: `make demo` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck pytest bench clean postgres chromium

$(PY):
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade uv

$(STAMP): pyproject.toml | $(PY)
	$(UV) pip install --quiet --python $(PY) -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/riderperf demo

test: $(STAMP) postgres chromium
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/ruff format --check src tests bench
	$(VENV)/bin/mypy
	$(VENV)/bin/pytest -q

# The browser tests drive Debian's Chromium through Playwright (it cannot download its own).
SUDO := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)
chromium:
	@command -v chromium >/dev/null 2>&1 || { $(SUDO) apt-get update -q && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q chromium; }

# In CI the PostgreSQL tests must run: start the local server when it is stopped.
postgres:
	@bash scripts/ensure-postgres.sh

bench: $(STAMP)
	$(PY) bench/bench_ingest.py

clean:
	rm -rf $(VENV) .riderperf .pytest_cache .mypy_cache .ruff_cache
