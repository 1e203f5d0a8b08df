# Netwerkpols: `make run` starts the bot, `make test` runs the whole suite.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(VENV)/bin/pip
# Tests run in parallel, one worker per core (each with a PostgreSQL database of its own);
# TEST_WORKERS=0 runs them in this process.
TEST_WORKERS ?= auto
LOCKFLAGS := --quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links

.PHONY: run sandbox test lint bench lock clean

$(VENV)/bin/activate:
	$(PYTHON) -m venv $(VENV)

# Stamp files remember which lock file is installed, so a changed lock reinstalls.
$(VENV)/.main-installed: requirements/main.lock | $(VENV)/bin/activate
	$(PIP) install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements/main.lock
	@touch $@

$(VENV)/.dev-installed: requirements/dev.lock | $(VENV)/bin/activate
	$(PIP) install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements/dev.lock
	@touch $@ $(VENV)/.main-installed

# The bot with a token in .env; without one, the local sandbox (python bot.py auto).
run: $(VENV)/.main-installed
	$(PY) bot.py auto

sandbox: $(VENV)/.main-installed
	$(PY) bot.py sandbox

test: $(VENV)/.dev-installed
	@scripts/ensure-postgres
	@scripts/ensure-chromium
	$(PY) -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

bench: $(VENV)/.dev-installed
	@scripts/ensure-postgres
	$(PY) -m bench.run $(BENCH_ARGS)

lint: $(VENV)/.dev-installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

lock: $(VENV)/.dev-installed
	$(PIP) install --quiet pip-tools
	cd requirements && ../$(VENV)/bin/pip-compile $(LOCKFLAGS) -o main.lock main.in
	cd requirements && ../$(VENV)/bin/pip-compile $(LOCKFLAGS) -o dev.lock dev.in

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
