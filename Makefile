# The two commands: `make run` (set up and serve the site with demo content) and `make test`.
SHELL := /bin/bash
PYTHON_VERSION := $(shell cat .python-version)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test prod lock lock-check browser lint format migrations-check setup demo clean translations-check

# Find Python 3.13: pyenv when present, else python3.13 on PATH.
$(PY):
	@py=""; \
	if command -v pyenv >/dev/null 2>&1 && pyenv prefix $(PYTHON_VERSION) >/dev/null 2>&1; then \
	  py="$$(pyenv prefix $(PYTHON_VERSION))/bin/python"; \
	elif command -v python3.13 >/dev/null 2>&1; then py=python3.13; \
	else echo "Python 3.13 is required (pyenv install $(PYTHON_VERSION))" >&2; exit 1; fi; \
	"$$py" -m venv $(VENV)

# Installs exactly what requirements/dev.txt pins, each file checked against its hash. When
# pyproject.toml's dependencies changed since the lock was made, the lock is remade first
# (commit requirements/ afterwards), except in CI, where a stale lock fails the run.
$(STAMP): $(PY) pyproject.toml requirements/dev.txt
	@$(PY) bin/lock.py --check || { \
	  if [ -n "$$CI" ]; then echo "CI: the lock is stale; run make lock and commit it" >&2; exit 1; fi; \
	  echo "Remaking the lock files from pyproject.toml (commit requirements/ afterwards)"; \
	  $(MAKE) lock; }
	$(PY) -m pip install -q --require-hashes -r requirements/dev.txt
	$(PY) -m pip install -q --no-deps -e .
	@touch $(STAMP)

# Remake requirements/prod.txt and requirements/dev.txt (hashed pins) from pyproject.toml,
# keeping every pin that still fits; `$(PY) bin/lock.py --upgrade` takes the newest instead.
lock: $(PY)
	$(PY) -m pip install -q "pip-tools>=7.4,<8"
	$(PY) bin/lock.py

lock-check: $(PY)
	$(PY) bin/lock.py --check

# The gettext catalogues (locale/) compiled with polib: no GNU gettext needed.
setup: $(STAMP)
	@$(PY) bin/compile_messages.py

demo: setup
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=1 $(PY) manage.py seed_demo --with-accounts

run: demo
	DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

# Tests run with DEBUG off, which refuses a weak SECRET_KEY: this fixed 64-character key is
# public and for tests only (an exported SECRET_KEY still wins).
TEST_SECRET_KEY := test-only-insecure-key-never-use-in-production-0123456789abcdefg

# Browser tests need Chromium: installed here from Debian when we are root with apt-get
# (as .ci/run does); otherwise they are skipped with the reason, and the rest runs.
browser:
	@if [ -z "$$CHROMIUM_PATH" ] && ! command -v chromium >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Debian's chromium for the browser tests"; \
	    DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null && \
	      DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null || \
	      echo "Could not install chromium: the browser tests will be skipped" >&2; \
	  else \
	    echo "No chromium and no way to install it (needs root and apt-get): the browser tests will be skipped (see the summary)" >&2; \
	  fi; \
	fi
	@# axe-core (accessibility browser tests) from tools/package-lock.json, when npm is here.
	@if command -v npm >/dev/null 2>&1 && [ ! -d tools/node_modules/axe-core ]; then \
	  (cd tools && npm ci --no-audit --no-fund --loglevel=error) || \
	    echo "npm ci failed: the accessibility tests will be skipped" >&2; \
	fi

# Uses DATABASE_URL when set (CI points it at PostgreSQL); SQLite otherwise.
test: setup browser
	DEBUG=0 SECRET_KEY=$${SECRET_KEY:-$(TEST_SECRET_KEY)} SITE_URL=$${SITE_URL:-http://testserver} \
	  $(VENV)/bin/pytest $(PYTEST_ARGS)

# Production on this machine: settings check, migrations state, collectstatic, gunicorn
# (newsroom/management/commands/serve_production.py; the README lists the environment).
prod: setup
	$(PY) manage.py serve_production

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: setup
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Every wrapped string translated in locale/es (needs GNU gettext's xgettext, as CI has).
translations-check: setup
	$(PY) bin/check_translations.py

migrations-check: setup
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
