# The two commands a newcomer needs: `make run` and `make test`. Everything else supports them.

# Python 3.12 or newer. pyenv's shims honour .python-version (3.13); otherwise take the newest found.
PYTHON ?= $(shell command -v python3.13 || command -v python3.12 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
DEV_ENV := DJANGO_DEBUG=1
CHROMIUM ?= /usr/bin/chromium

PROD_ENV := DJANGO_SETTINGS_MODULE=quizsite.settings.production
# Backup and restore touch only the database and media, whose settings every environment reads
# from the same variables (DATABASE_URL, DJANGO_MEDIA_ROOT); they sign nothing, so a placeholder
# key is enough when none is set.
OPS_ENV := DJANGO_SECRET_KEY="$${DJANGO_SECRET_KEY:-backup-and-restore-sign-nothing}"

.PHONY: run test test-fast lint install install-dev migrate content serve backup restore bench

run: install migrate content  ## Serve the site with the bundled quizzes on http://127.0.0.1:8000
	@# The background worker (large bank imports) runs beside the server and stops with it.
	@$(DEV_ENV) $(BIN)/python manage.py db_worker --verbosity 0 & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  $(DEV_ENV) $(BIN)/python manage.py runserver 127.0.0.1:8000

lint: install-dev  ## ruff: the lint rules and the format in pyproject.toml
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: lint  ## Run the whole suite: lint, then unit, integration and browser tests
	@if [ ! -x "$(CHROMIUM)" ]; then \
	  echo "*** Chromium not found at $(CHROMIUM): the browser tests need it."; \
	  echo "*** Install it with: sudo apt-get install chromium"; \
	  if [ -n "$$CI" ]; then echo "*** CI is set: failing instead of skipping them."; exit 1; fi; \
	  echo "*** Browser tests will be reported as skipped."; \
	fi
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-fast: lint  ## The suite without the slow tier (browser, concurrency, migrations): for quick loops
	$(BIN)/python -m pytest -m "not slow" $(PYTEST_ARGS)

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else "Python 3.12 or newer is needed; $(PYTHON) is " + sys.version.split()[0] + ". Run: make PYTHON=/path/to/python3.13 run")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Stamp files make repeat runs fast: pip runs again only when a requirements file changes.
$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

migrate: install
	$(DEV_ENV) $(BIN)/python manage.py migrate --noinput

content: migrate
	$(DEV_ENV) $(BIN)/python manage.py load_content

serve: install  ## Serve the production way: gunicorn, collected static files; needs the variables in docs/deployment.md
	@if [ -z "$$DJANGO_SECRET_KEY" ] || [ -z "$$DJANGO_ALLOWED_HOSTS" ]; then \
	  echo "*** make serve runs the production settings: set DJANGO_SECRET_KEY and DJANGO_ALLOWED_HOSTS first."; \
	  echo "*** Trying it on this machine without TLS: see 'Trying it locally' in docs/deployment.md."; \
	  exit 1; \
	fi
	$(PROD_ENV) $(BIN)/python manage.py migrate --noinput
	$(PROD_ENV) $(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(PROD_ENV) $(BIN)/python manage.py check --deploy
	$(PROD_ENV) $(BIN)/gunicorn --config gunicorn.conf.py

# The database `make bench` measures on: sqlite or postgres (127.0.0.1, database quizsite_bench_answer).
DB ?= sqlite

bench: install  ## The answer benchmark (docs/benchmarks.md) on DB=sqlite or DB=postgres: about three minutes
	$(BIN)/python benchmarks/answer.py --db $(DB)

backup: install  ## Write backups/quizsite-<time>.tar.gz: every user, attempt, response and quiz, and the media
	$(OPS_ENV) $(BIN)/python manage.py backup_site --output-dir backups

restore: install  ## Load FILE=backups/....tar.gz into an empty database (migrated first) and media folder
	@if [ -z "$(FILE)" ]; then echo "*** Name the backup: make restore FILE=backups/quizsite-....tar.gz"; exit 1; fi
	$(OPS_ENV) $(BIN)/python manage.py migrate --noinput
	$(OPS_ENV) $(BIN)/python manage.py restore_site "$(FILE)"
