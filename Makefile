# Lobby: make dev runs everything locally; make test runs every test.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STACK ?= lobby
CHROMIUM := /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: dev test test-fast lint format bench site build deploy deploy-check publish clean chromium messages node text-templates

# The editable install knows the top-level packages and modules it found, so a new one in functions/ or
# infra/ (a change to the directory itself) installs again; edits to existing files need nothing.
$(BIN)/.installed: requirements.lock pyproject.toml functions infra
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps --editable .
	touch $@

# The message catalog: each language's .po compiled to the .mo the functions read (gettext).
# Generated, never committed; Babel is needed here only, never at run time.
MESSAGES_PO := $(wildcard functions/views/locale/*/LC_MESSAGES/messages.po)
MESSAGES_MO := $(MESSAGES_PO:.po=.mo)
functions/views/locale/%/LC_MESSAGES/messages.mo: functions/views/locale/%/LC_MESSAGES/messages.po | $(BIN)/.installed
	$(BIN)/python infra/compile_messages.py

messages: $(MESSAGES_MO)

chromium:
	@test -x $(CHROMIUM) || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium; }

# The CloudFront function's JavaScript is tested under Node.js.
node:
	@command -v node >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq nodejs; }

site_build/index.html: $(BIN)/.installed $(MESSAGES_MO) mkdocs.yml infra/catalog.yaml $(shell find site -type f 2>/dev/null) $(wildcard functions/lobby/*.py functions/views/*.py)
	$(BIN)/mkdocs build --strict --quiet --site-dir site_build

site: site_build/index.html

# The stack builds the site itself (when stale), then serves it with the API and local tools.
dev: $(BIN)/.installed messages
	PORT=$(PORT) $(BIN)/python -m devstack

test: $(BIN)/.installed messages chromium node
	cd functions && ../$(BIN)/python -m lobby.catalog
	$(BIN)/python -m pytest -n 2 --timeout=300 $(PYTEST_ARGS)

test-fast: $(BIN)/.installed node messages
	$(BIN)/python -m pytest -n 2 -m "not e2e" $(PYTEST_ARGS)

lint: $(BIN)/.installed
	cd functions && ../$(BIN)/python -m lobby.catalog
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/cfn-lint template.yaml

format: $(BIN)/.installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Every benchmark runs and prints its figures, even after one fails; then the failures are named.
bench: $(BIN)/.installed messages chromium
	@failed=""; for script in bench/bench_*.py; do \
	  echo "== $$script"; $(BIN)/python $$script || failed="$$failed $$script"; done; \
	if [ -n "$$failed" ]; then echo "make bench: failed:$$failed"; exit 1; fi

# Deployment (needs the AWS SAM CLI and credentials; see the administrators' handbook;
# infra/environments/example.yaml lists the parameters `sam deploy --guided` asks for).
# sam build needs python3.12 on PATH, or Docker: make build SAM_BUILD_FLAGS=--use-container
# (the bytecode step still needs that Python: BUILD_PYTHON=/path/to/python3.12)
# The compiled catalog goes into the build only: left in functions/, it would shadow
# infra/catalog.yaml for every local run and test.
# Then every package is compiled to hash-checked bytecode by the runtime's Python (/var/task is
# read-only, so Lambda would otherwise compile every module on every cold start).
RUNTIME := $(shell sed -n 's/^ *Runtime: *\(python3\.[0-9]*\).*/\1/p' template.yaml | head -n 1)
BUILD_PYTHON ?= $(RUNTIME)
build: $(BIN)/.installed messages
	cd functions && ../$(BIN)/python -m lobby.catalog compile lobby/catalog.json
	sam build --template template.yaml $(SAM_BUILD_FLAGS); status=$$?; \
	  rm -f functions/lobby/catalog.json; exit $$status
	$(BUILD_PYTHON) infra/precompile.py .aws-sam/build --runtime $(RUNTIME)

# Refused from 1 December while next year's public holidays are unknown to the catalog's calendar
# (ALLOW_UNKNOWN_YEAR=1 make deploy goes on anyway).
deploy-check: $(BIN)/.installed
	cd functions && ../$(BIN)/python -m lobby.catalog deploy-check

deploy: deploy-check build
	sam deploy --guided --stack-name $(STACK)

# The text-message templates, for the support case that registers them (site/docs/admin/deploy).
text-templates: $(BIN)/.installed
	PYTHONPATH=functions:infra $(BIN)/python infra/text_templates.py

publish: site
	$(BIN)/python infra/publish.py --stack-name $(STACK) --site-dir site_build

clean:
	rm -rf $(VENV) site_build .aws-sam .pytest_cache functions/lobby/catalog.json $(MESSAGES_MO)
