# Two commands for a newcomer: `make run` (demo on 127.0.0.1:8000) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)
# The demo runs with DEBUG: a local development key, e-mails printed on the console.
DEMO_ENV := DEBUG=1

.PHONY: install run test lint migrate demo clean

$(STAMP): requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is required (found " + sys.version.split()[0] + "); set PYTHON=python3.x")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

# axe-core (npm) for the accessibility checks of tests/e2e, when npm is there; without it
# those checks are skipped (outside CI). .ci/run installs Debian's chromium and npm if missing.
NODE_STAMP := node_modules/.installed-$(shell cat package.json $(wildcard package-lock.json) | cksum | cut -d' ' -f1)

$(NODE_STAMP): package.json $(wildcard package-lock.json)
	@if ! command -v npm >/dev/null 2>&1; then \
		echo "npm not found: axe-core not installed, the accessibility tests will be skipped"; \
	elif [ -f package-lock.json ]; then \
		npm ci --no-audit --no-fund && touch $@; \
	else \
		npm install --no-audit --no-fund && touch $@; \
	fi

install: $(STAMP) $(NODE_STAMP)

migrate: install
	$(DEMO_ENV) $(BIN)/python manage.py migrate --noinput

demo: migrate
	$(DEMO_ENV) $(BIN)/python manage.py load_demo

run: demo
	@echo "Serving on http://127.0.0.1:8000/ (Ctrl+C to stop)"
	$(DEMO_ENV) $(BIN)/python manage.py runserver 127.0.0.1:8000

test: install
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) node_modules db.sqlite3 .pytest_cache .ruff_cache .hypothesis
