# Two commands set everything up on a fresh machine: `make demo` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck pytest bench clean postgres

$(PY):
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade uv

$(STAMP): pyproject.toml | $(PY)
	$(UV) pip install --quiet --python $(PY) -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/riderperf demo

test: $(STAMP) postgres
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/ruff format --check src tests bench
	$(VENV)/bin/mypy
	$(VENV)/bin/pytest -q

# In CI the PostgreSQL tests must run: start the local server when it is stopped.
postgres:
	@bash scripts/ensure-postgres.sh

bench: $(STAMP)
	$(PY) bench/bench_ingest.py

clean:
	rm -rf $(VENV) .riderperf .pytest_cache .mypy_cache .ruff_cache
