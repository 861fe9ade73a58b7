# The Children's Hub. `make up` starts everything with demo data; `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.9
UV := $(PYTHON) -m uv
export UV_PYTHON_DOWNLOADS := never
export UV_PYTHON := $(shell $(PYTHON) -c 'import sys; print(sys.executable)')
RUN := $(UV) run --locked --no-sync

.DEFAULT_GOAL := help
.PHONY: help install provision up infra down status test test-unit test-integration test-e2e lint format asyncapi clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

.venv/.installed: uv.lock pyproject.toml $(wildcard */pyproject.toml */*/pyproject.toml)
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else 1)' \
	  || { echo "error: Python 3.11 is required as '$(PYTHON)' (set PYTHON=/path/to/python3.11)"; exit 1; }
	@$(UV) --version 2>/dev/null | grep -q "$(UV_VERSION)" || $(PYTHON) -m pip install -q --disable-pip-version-check "uv==$(UV_VERSION)"
	$(UV) sync --locked --all-packages
	@touch $@

install: .venv/.installed  ## install the Python workspace (uv, locked)

up: install  ## start Kafka, SecantusDB, Zipkin, Prometheus and all services, load demo data
	$(RUN) python deploy/local/hubstack.py up

infra: install  ## start only Kafka, SecantusDB, Zipkin and Prometheus
	$(RUN) python deploy/local/hubstack.py infra

down: install  ## stop exactly what `make up` started (by PID)
	$(RUN) python deploy/local/hubstack.py down

status: install  ## show which processes of the local stack are running
	$(RUN) python deploy/local/hubstack.py status

provision: install  ## fetch and build Kafka, SecantusDB, Zipkin and Prometheus (once per machine)
	$(RUN) python deploy/local/hubstack.py provision

test: lint provision  ## lint, then every test: unit, integration (real Kafka + Mongo) and e2e
	$(RUN) pytest

test-unit: install  ## only the tests that need no broker or database
	$(RUN) pytest -m "not integration and not e2e"

test-integration: install
	$(RUN) pytest -m integration

test-e2e: install
	$(RUN) pytest -m e2e

lint: install  ## ruff and mypy --strict
	$(RUN) ruff check .
	$(RUN) ruff format --check .
	$(RUN) mypy

format: install
	$(RUN) ruff check --fix .
	$(RUN) ruff format .

asyncapi: install  ## regenerate contracts/asyncapi.yaml, contracts/docs/bus.md and the schema snapshots
	$(RUN) python contracts/scripts/generate_asyncapi.py
	$(RUN) python contracts/scripts/snapshot_schemas.py

clean: down  ## stop the stack and delete its state (.local/)
	rm -rf .local
