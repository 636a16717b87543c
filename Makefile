# `make run` opens the desk on a demo database; `make test` runs every gate and the tests.
# Both build .venv from requirements.lock on a fresh machine (only python3 and pip needed).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.desk-installed
# bench/ may not exist yet in a fresh checkout (git keeps no empty folders)
LINTED := desk tests $(wildcard bench)
PYTEST_ARGS ?= -n 2
# The service tests (no screens) run a second time on a real PostgreSQL server.
POSTGRES_TESTS = $(wildcard tests/test_*_service.py) tests/test_operators.py \
	tests/test_residents.py tests/test_deadlines.py tests/test_export.py \
	tests/test_roles.py $(wildcard tests/test_properties_*.py) \
	tests/test_audit_chain.py tests/test_erasure.py tests/test_foreign_files.py \
	tests/test_durability.py tests/test_cli_operators.py tests/test_residents_import.py

.PHONY: run test lint venv system-deps lock clean-venv bench

# The desk's own modules are compiled ahead, as pip compiles what it installs: an editable install
# leaves them to the first start, and where PYTHONDONTWRITEBYTECODE is set to every start (about
# 45 ms each time). Up to date, this takes a few hundredths of a second.
run: $(STAMP)
	$(BIN)/python -m compileall -q desk
	$(BIN)/desk demo
	$(BIN)/desk --db data/demo.db

test: $(STAMP) system-deps
	$(BIN)/ruff format --check $(LINTED)
	$(BIN)/ruff check $(LINTED)
	$(BIN)/mypy desk
	$(BIN)/python scripts/check-imports
	$(BIN)/pytest $(PYTEST_ARGS)
	@url=$$(scripts/postgres-server); \
	if [ -n "$$url" ]; then \
		echo "service tests again, on PostgreSQL"; \
		DESK_TEST_POSTGRES="$$url" $(BIN)/pytest $(PYTEST_ARGS) $(POSTGRES_TESTS); \
	else echo "no PostgreSQL server here: the PostgreSQL run is skipped"; fi

# Performance figures at 10k, 100k and 1M records (databases built once into bench/data/).
bench: $(STAMP)
	$(BIN)/python bench/run.py $(BENCH_ARGS)

lint: $(STAMP)
	$(BIN)/ruff format --check $(LINTED)
	$(BIN)/ruff check $(LINTED)
	$(BIN)/mypy desk

venv: $(STAMP)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstalls only when the lock or the project's metadata changed.
$(STAMP): requirements.lock pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --disable-pip-version-check --no-deps -e .
	@touch $@

system-deps:
	@scripts/system-deps

# Rewrite the lock from the current .venv (after changing dependencies on purpose).
lock:
	@{ echo "# Exact versions of every package desk runs and is tested with (Python 3.11)."; \
	   echo "# Regenerate from a working .venv: make lock"; \
	   $(BIN)/python -m pip freeze --exclude-editable | grep -v -i '^desk[= @]'; } > requirements.lock

clean-venv:
	rm -rf $(VENV)
