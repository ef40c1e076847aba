# OC Pizza — `make run` serves the demo site, `make test` runs the tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

# The tests run against the real PostgreSQL and Redis (override to point elsewhere).
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/ocpizza
TEST_REDIS_URL ?= redis://127.0.0.1:6379/1

.PHONY: run test lint format demo messages clean deploy

$(BIN)/.runtime: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(BIN)/.dev: requirements.txt requirements-dev.txt $(BIN)/.runtime
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@

## Set up everything and serve the demo site on http://$(HOST):$(PORT)
run: demo
	@echo ""
	@echo "  Site:  http://$(HOST):$(PORT)/"
	@echo "  Admin: http://$(HOST):$(PORT)/admin/  (admin / $${DEMO_ADMIN_PASSWORD:-admin}, marketing / $${DEMO_MARKETING_PASSWORD:-marketing})"
	@echo "  Payments: PayPal is simulated by the fake PayPal on http://127.0.0.1:8765 (test payments only)"
	@echo ""
	@$(MANAGE) fake_paypal --port 8765 & fake=$$!; trap 'kill $$fake 2>/dev/null' EXIT INT TERM; \
		$(MANAGE) runserver $(HOST):$(PORT)

demo: $(BIN)/.runtime
	$(MANAGE) migrate --noinput
	$(MANAGE) load_demo

# axe-core and Lighthouse, pinned by package-lock.json (browser tests and bench/lighthouse.py).
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	touch $@

## Run the whole test suite against PostgreSQL and Redis, browser tests included
test: $(BIN)/.dev
	./scripts/system-deps.sh
	$(MAKE) node_modules/.installed
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)} \
		$(BIN)/pytest $(PYTEST_ARGS)

## Style and structure: ruff (lint + format check) and the import contracts (.importlinter)
lint: $(BIN)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

## Rewrite the code in the project's style (what `make lint` checks)
format: $(BIN)/.dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## Production: build, migrate, replace web with no failed request (docs/operations.md)
deploy:
	./docker/deploy.sh

## Refresh the French catalogue after changing translatable strings, then compile it
messages: $(BIN)/.runtime
	$(MANAGE) makemessages -l fr -i ".venv/*" -i "var/*"
	$(MANAGE) compilemessages -i .venv

clean:
	rm -rf $(VENV) node_modules db.sqlite3 var test-artifacts
