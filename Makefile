# Two commands set everything up on a fresh machine: `make demo` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck pytest bench fuzz clean postgres chromium java lock

# Installs do not drift: requirements.lock holds the exact versions (and hashes) that were
# tested; `make test` and `make demo` install exactly those. `make lock` refreshes it.
UV_VERSION := 0.13.9

$(PY):
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet uv==$(UV_VERSION)

# Bytecode is compiled at install (the environment may forbid writing it at run time): a
# process then starts without compiling its imports first, which a server worker must do
# within uvicorn's health-check time and which every test process and CLI call pays.
$(STAMP): pyproject.toml requirements.lock | $(PY)
	$(UV) pip sync --quiet --python $(PY) --require-hashes --compile-bytecode requirements.lock
	$(UV) pip install --quiet --python $(PY) --no-deps -e .
	$(PY) -m compileall -q -j 0 src
	touch $(STAMP)

# A deliberate refresh: the newest releases that pyproject.toml allows. Run `make test`
# after it and commit the lock only when the tests pass.
lock: | $(PY)
	$(UV) pip compile --quiet pyproject.toml --extra dev --python-version 3.11 \
		--generate-hashes --upgrade -o requirements.lock

demo: $(STAMP)
	$(VENV)/bin/riderperf demo

test: $(STAMP) postgres chromium java
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/ruff format --check src tests bench
	$(VENV)/bin/mypy
	$(VENV)/bin/pytest -q $(PYTEST_WORKERS)

# pytest-xdist: two workers, each taking whole test files (module-scoped fixtures are built
# in one process only). On the 2-core machine the suite takes about 4 minutes this way and
# about 8 in one process. `make test PYTEST_WORKERS=` runs it in one process.
PYTEST_WORKERS ?= -n 2 --dist loadfile

# The browser tests drive Debian's Chromium through Playwright (it cannot download its own).
SUDO := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)
chromium:
	@command -v chromium >/dev/null 2>&1 || { $(SUDO) apt-get update -q && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q chromium; }

# The Spark parity tests start a local Spark, which runs on Java 17 (Debian's JRE).
java:
	@command -v java >/dev/null 2>&1 || { $(SUDO) apt-get update -q && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q openjdk-17-jre-headless; }

# In CI the PostgreSQL tests must run: start the local server when it is stopped.
postgres:
	@bash scripts/ensure-postgres.sh

bench: $(STAMP)
	$(PY) bench/bench_ingest.py

# Good rows mixed with rows broken in one field each; exits 1 when one is lost or unreported.
fuzz: $(STAMP)
	$(PY) bench/fuzz_import.py --rows 10000

clean:
	rm -rf $(VENV) .riderperf .pytest_cache .mypy_cache .ruff_cache
