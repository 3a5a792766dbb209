# Every job is one target; `make help` lists them.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help install protos check-protos lint-protos check-breaking lint format typecheck test test-unit test-contract test-integration test-e2e fuzz bench run clean

help: ## List every target
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  %-17s %s\n", $$1, $$2}'

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	$(PY) -m shared.protogen generate
	touch $@

install: $(INSTALLED) ## Create .venv with everything installed and the code generated

protos: $(INSTALLED) ## Regenerate shared/generated from protos/
	$(PY) -m shared.protogen generate

check-protos: $(INSTALLED) ## Fail when shared/generated is stale
	$(PY) -m shared.protogen check

lint-protos: ## buf lint (STANDARD rules) on protos/; needs npm
	cd protos && npx --yes @bufbuild/buf lint

# The wire contract of the last release tag (v*), else of the previous commit; BREAKING_AGAINST
# overrides it (any buf input, e.g. .git#ref=abc123,subdir=protos). A clone without either (a
# single or shallow commit) has nothing to compare with, and says so.
BREAKING_REF := $(shell git describe --tags --match 'v*' --abbrev=0 2>/dev/null || git rev-parse -q --verify HEAD~1 2>/dev/null)
hash := \#
comma := ,
BREAKING_AGAINST ?= $(if $(BREAKING_REF),.git$(hash)ref=$(BREAKING_REF)$(comma)subdir=protos)

check-breaking: ## buf breaking (FILE rules): protos/ against the last release tag or commit; needs npm
	@if [ -z "$(BREAKING_AGAINST)" ]; then echo "check-breaking: no earlier commit to compare with"; \
	else npx --yes @bufbuild/buf breaking protos --against '$(BREAKING_AGAINST)'; fi

lint: $(INSTALLED) ## Ruff lint and format check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(INSTALLED) ## Ruff format in place
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

typecheck: $(INSTALLED) ## Strict mypy on hand-written code
	$(VENV)/bin/mypy shared control_silo region_silo tests

test: $(INSTALLED) ## The full suite (SILO_TEST_DATABASE_URL selects PostgreSQL)
	$(PY) -m pytest

test-unit: $(INSTALLED) ## Unit tests only
	$(PY) -m pytest tests/unit

test-contract: $(INSTALLED) ## The contract suite, local and remote
	$(PY) -m pytest tests/contract

test-integration: $(INSTALLED) ## Tests that start real server processes
	$(PY) -m pytest tests/integration

test-e2e: $(INSTALLED) ## The control silo and two regions as separate processes
	$(PY) -m pytest tests/e2e

# `make test` runs the same suite with a few seconds per RPC and fixed examples.
fuzz: $(INSTALLED) ## The RPC fuzz suite at length: 1000 random requests per RPC (tests/fuzz)
	SILO_FUZZ_PROFILE=long $(PY) -m pytest tests/fuzz

# SILO_BENCH_IMPORT_USERS=N1,N2 sizes the import benchmark (100000,400000 unless set; the
# defaults take about five minutes, 2000,8000 under one).
bench: $(INSTALLED) ## Benchmarks, printed as ratios against same-run baselines
	$(PY) -m tests.benchmarks

run: $(INSTALLED) ## Migrate SQLite and run the devserver (control silo) in ./data
	$(VENV)/bin/silo devserver

clean: ## Remove the virtualenv and caches
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
