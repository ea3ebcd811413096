# The two commands a newcomer needs: `make run` and `make test`. Everything else is optional.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed

.PHONY: help install run test bench worker beat lint migrate messages check-deploy db-stop clean

help:
	@echo "make run     install, start the embedded database if needed, migrate, seed, serve :8000"
	@echo "make test    install, then run the whole test suite"
	@echo "make worker  a Celery worker for all queues (needs REDIS_URL)"
	@echo "make beat    the Celery beat scheduler (needs REDIS_URL)"
	@echo "make bench   benchmarks in tests/perf (prints figures; not part of make test)"
	@echo "make lint    ruff"

$(INSTALLED): requirements.txt
	@echo "==> Creating $(VENV) and installing the pinned requirements"
	@test -x $(PY) || $(PYTHON) -m venv $(VENV) || { \
	  echo "==> '$(PYTHON) -m venv' failed (Debian/Ubuntu: apt-get install python3-venv); trying virtualenv"; \
	  rm -rf $(VENV); $(PYTHON) -m pip install --user --quiet virtualenv && $(PYTHON) -m virtualenv $(VENV); }
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

install: $(INSTALLED)

# Local development defaults: DEBUG on (dev secret key, demo accounts) unless the caller set it.
run: export DEBUG ?= true
run: install
	@echo "==> Database: $${DATABASE_URL:-embedded PostgreSQL under var/pgdata}"
	@echo "==> Celery: $${REDIS_URL:+workers via $$REDIS_URL}$${REDIS_URL:-tasks run eagerly (no REDIS_URL)}"
	@echo "==> Migrating"
	$(PY) manage.py migrate --noinput
	@echo "==> Loading the demo city (only into an empty database)"
	$(PY) manage.py seed_demo --if-empty
	@echo "==> Serving the portal on http://127.0.0.1:8000 (Ctrl-C stops it)"
	$(PY) manage.py runserver 127.0.0.1:8000

test: install
	@echo "==> Running the whole test suite (database: $${DATABASE_URL:-embedded PostgreSQL})"
	$(VENV)/bin/pytest $(PYTEST_ARGS)

bench: export DEBUG ?= true
# The benchmark measures the portal, not the API throttle that would stop one fast client.
bench: export API_ANON_RATE ?= 1000000/minute
bench: export API_USER_RATE ?= 1000000/minute
bench: install
	@echo "==> Benchmarks (tests/perf): figures are printed, nothing is asserted on time"
	$(VENV)/bin/pytest tests/perf -o python_files='bench_*.py' -s -q $(PYTEST_ARGS)

worker: install
	$(VENV)/bin/celery -A portal worker -Q default,matching,opendata --loglevel=INFO

beat: install
	@mkdir -p var
	$(VENV)/bin/celery -A portal beat --loglevel=INFO --schedule var/celerybeat-schedule

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

migrate: export DEBUG ?= true
migrate: install
	$(PY) manage.py migrate --noinput

# Regenerate translations after changing texts (needs GNU gettext); .po and .mo are committed.
messages: export DEBUG ?= true
messages: install
	$(PY) manage.py makemessages -l en --ignore=.venv --ignore=var --ignore=staticfiles
	$(PY) manage.py compilemessages -l en --ignore=.venv

db-stop: install
	$(PY) -m portal.embedded_db stop

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
