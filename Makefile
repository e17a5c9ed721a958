# Zhanggui 掌柜 — the two commands: `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PLUGINS := members loyalty campaigns callcenter suppliers office search
STAMP := $(VENV)/.installed
# a third-party plugin written from the docs, installed like any other (tests/example_plugins)
EXAMPLE_PLUGINS := tests/example_plugins/acme-giftcards
PG_URL ?= postgresql://postgres@127.0.0.1:5432
PYTEST_WORKERS ?= 2
DEMO_MEMBERS ?= 2000
DEMO_SEED ?= 2026
HOST ?= 127.0.0.1
PORT ?= 5000
export ZHANGGUI_INSTANCE_PATH ?= $(CURDIR)/instance

.PHONY: install catalogs translations demo serve test test-sqlite test-postgresql \
        browser-deps bench clean

# --- installation ---------------------------------------------------------------
$(STAMP): setup.cfg $(foreach p,$(PLUGINS),plugins/$(p)/setup.cfg) requirements-dev.txt \
        $(foreach p,$(EXAMPLE_PLUGINS),$(p)/setup.cfg)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q -U 'setuptools>=68' wheel
	$(BIN)/pip install -q -e '.[postgresql,mysql,redis,test]' \
	    $(foreach p,$(PLUGINS),-e plugins/$(p)) -r requirements-dev.txt
	$(BIN)/pip install -q --no-deps $(foreach p,$(EXAMPLE_PLUGINS),-e $(p))
	touch $@

install: $(STAMP) catalogs

# compile every .po of the core and the plugins (run at install time)
catalogs: $(STAMP)
	$(BIN)/python -m zhanggui.catalogs locale $(wildcard plugins/*/zhanggui_*/translations) \
	    $(wildcard $(addsuffix /*/translations,$(EXAMPLE_PLUGINS)))

# extract, update and compile every catalog (after changing user-facing text): the
# core's and every installed plugin's, wherever it lives (zhanggui_translation_dirs)
translations: $(STAMP)
	$(BIN)/python -m zhanggui.catalogs --update --installed

# --- the demo ---------------------------------------------------------------------
demo: install
	@set -e; \
	if [ ! -f "$(ZHANGGUI_INSTANCE_PATH)/admin-password.txt" ]; then \
	  rm -f "$(ZHANGGUI_INSTANCE_PATH)/zhanggui.db"*; \
	  $(BIN)/zhanggui init; \
	  pw=$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(12))'); \
	  $(BIN)/zhanggui create-admin --username admin --password "$$pw"; \
	  $(BIN)/zhanggui demo-data --seed $(DEMO_SEED) --members $(DEMO_MEMBERS); \
	  umask 077; echo "$$pw" > "$(ZHANGGUI_INSTANCE_PATH)/admin-password.txt"; \
	else \
	  $(BIN)/zhanggui migrate; \
	fi; \
	echo; echo "Zhanggui console: http://$(HOST):$(PORT)/"; \
	echo "Sign in as admin / $$(cat "$(ZHANGGUI_INSTANCE_PATH)/admin-password.txt")"; \
	echo "(password kept in $(ZHANGGUI_INSTANCE_PATH)/admin-password.txt; delete it to rebuild the demo)"; echo
	$(BIN)/zhanggui run --host $(HOST) --port $(PORT)

# --- tests ------------------------------------------------------------------------
# Debian's chromium drives the browser tests; a CJK font makes their screenshots legible
browser-deps:
	@if ! command -v chromium >/dev/null || ! fc-list 2>/dev/null | grep -qi "noto sans cjk"; then \
	  echo "installing Debian's chromium and fonts-noto-cjk for the browser tests"; \
	  (apt-get update -qq || true) && DEBIAN_FRONTEND=noninteractive \
	    apt-get install -y -qq --no-install-recommends chromium fonts-noto-cjk >/dev/null; \
	fi

test: install browser-deps
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-postgresql

test-sqlite: install
	@echo "== the whole suite on SQLite =="
	$(BIN)/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

test-postgresql: install
	@echo "== the whole suite on PostgreSQL =="
	@pg_isready -q -h 127.0.0.1 -p 5432 || { echo "PostgreSQL is not answering on 127.0.0.1:5432"; exit 1; }
	@set -e; db=zhanggui_test_$$$$_$$(date +%s); \
	psql -q "$(PG_URL)/postgres" -c "CREATE DATABASE $$db" ; \
	trap 'psql -q "$(PG_URL)/postgres" -c "DROP DATABASE IF EXISTS $$db WITH (FORCE)"' EXIT; \
	ZHANGGUI_TEST_DATABASE_URL="$(PG_URL)/$$db" $(BIN)/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

# every benchmark, or one: make bench BENCH=lookup SIZE=small|large (see docs/performance.md)
bench: install
	@command -v pgbench >/dev/null || ls /usr/lib/postgresql/*/bin/pgbench >/dev/null 2>&1 || { \
	  echo "installing pgbench (postgresql-contrib) for the PostgreSQL baselines"; \
	  (apt-get update -qq || true) && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-contrib >/dev/null; }
	$(BIN)/python -m bench $(if $(BENCH),--only $(BENCH)) --size $(or $(SIZE),small) \
	    --pg-url "$(PG_URL)/postgres"

clean:
	rm -rf $(VENV) instance test-output .pytest_cache
