# The two commands: `make run` (set up and serve the site with demo content) and `make test`.
SHELL := /bin/bash
PYTHON_VERSION := $(shell cat .python-version)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format migrations-check setup demo clean

# Find Python 3.13: pyenv when present, else python3.13 on PATH.
$(PY):
	@py=""; \
	if command -v pyenv >/dev/null 2>&1 && pyenv prefix $(PYTHON_VERSION) >/dev/null 2>&1; then \
	  py="$$(pyenv prefix $(PYTHON_VERSION))/bin/python"; \
	elif command -v python3.13 >/dev/null 2>&1; then py=python3.13; \
	else echo "Python 3.13 is required (pyenv install $(PYTHON_VERSION))" >&2; exit 1; fi; \
	"$$py" -m venv $(VENV)

$(STAMP): $(PY) pyproject.toml
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	@touch $(STAMP)

setup: $(STAMP)

demo: setup
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=1 $(PY) manage.py seed_demo --with-accounts

run: demo
	DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

# Tests run with DEBUG off, which refuses a weak SECRET_KEY: this fixed 64-character key is
# public and for tests only (an exported SECRET_KEY still wins).
TEST_SECRET_KEY := test-only-insecure-key-never-use-in-production-0123456789abcdefg

# Uses DATABASE_URL when set (CI points it at PostgreSQL); SQLite otherwise.
test: setup
	DEBUG=0 SECRET_KEY=$${SECRET_KEY:-$(TEST_SECRET_KEY)} SITE_URL=$${SITE_URL:-http://testserver} \
	  $(VENV)/bin/pytest $(PYTEST_ARGS)

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: setup
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

migrations-check: setup
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
