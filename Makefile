# make run: serve the portal on http://127.0.0.1:8000/ with one job worker (SQLite, nothing else needed)
# make worker: one job worker (run as many as you like), against DATABASE_URL
# make test: run the whole test suite
# make lint: ruff and mypy (django-stubs, djangorestframework-stubs)
# make mutation: mutation testing of the security-critical modules (slow; not part of CI)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 2

.PHONY: install run worker test lint format bench serve clean mutation screenshots

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev,postgres,redis,bench]"
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

install: $(STAMP)

# The worker runs in the background and stops with the server: Ctrl-C reaches both, and the
# trap ends the worker if the server stops on its own. One server thread, so that the database
# connection persists (CONN_MAX_AGE): the threaded development server closes it after each request.
run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py demo
	@$(BIN)/python manage.py worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	$(BIN)/python manage.py runserver --nothreading $(HOST):$(PORT)

# Runs background jobs and enqueues the notifications sweep every SWEEP_SECONDS.
worker: install
	$(BIN)/python manage.py worker

test: install
	$(BIN)/python -m pytest --cov --cov-report=term-missing:skip-covered $(PYTEST_ARGS)

# Modules and tests are set in pyproject.toml ([tool.mutmut]); results and equivalent mutants in
# docs/testing.md. One module at a time: make mutation MUTANTS='tokens.crypto*'
mutation: install
	env -u DATABASE_URL -u CACHE_URL $(BIN)/mutmut run $(MUTANTS)
	$(BIN)/mutmut results

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# bench/run.py --help: rounds, sample, --million, HTTP load; docs/performance.md.
bench: install
	$(BIN)/python bench/run.py --http $(BENCH_ARGS)

# docs/screenshots/: every page state at 1280 and 390 px, from a seeded demo (Chromium needed).
screenshots: install
	$(BIN)/python -m pytest tests/browser/page_states.py -p no:randomly $(PYTEST_ARGS)

# Production-style serving: gunicorn with WhiteNoise, against DATABASE_URL and CACHE_URL.
serve: install
	$(BIN)/python manage.py collectstatic --noinput
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/gunicorn config.wsgi -c config/gunicorn.py --bind $(HOST):$(PORT) --workers $(WORKERS)

clean:
	rm -rf $(VENV) staticfiles test-artifacts
