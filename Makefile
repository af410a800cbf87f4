# VaultCraft entry points. `make demo` and `make test` set everything up on first use.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
ANVIL_DIR := $(CURDIR)/node_modules/@foundry-rs/anvil-linux-$(if $(filter aarch64 arm64,$(shell uname -m)),arm64,amd64)/bin
# Ape finds Anvil only on PATH; the venv's tools (ape, vaultcraft) come first too.
export PATH := $(ANVIL_DIR):$(CURDIR)/$(VENV)/bin:$(PATH)
export HYPOTHESIS_PROFILE ?= quick

.PHONY: help setup demo test test-fast test-chain bench-gas bench-zk bench-keeper bench-api lint clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

setup: $(VENV)/.installed node_modules/.installed  ## create .venv and node_modules from the lock files (idempotent)

$(VENV)/.installed: requirements.lock pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "setup: $(PYTHON) not found (Python 3.11 is required)"; exit 2; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -r requirements.lock
	$(PY) -m pip install -q --disable-pip-version-check --no-deps -e .
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	test -x $(ANVIL_DIR)/anvil || { echo "setup: anvil binary missing in $(ANVIL_DIR)"; exit 2; }
	touch $@

demo: setup  ## deploy the protocol to a fresh Anvil and settle one epoch
	$(VENV)/bin/vaultcraft demo

test: setup lint test-fast test-chain  ## lint, then run every test

test-fast: setup  ## titanoboa + pure-Python suites
	$(PY) -m pytest -p no:ape_test -q tests/unit tests/fuzz tests/zk tests/venue_sim tests/keeper tests/api

test-chain: setup  ## Ape suites, the vault state machine, the CLI and the end-to-end/fault runs on real Anvil
	timeout 2400 $(VENV)/bin/ape test tests/integration -q
	timeout 1200 $(PY) -m pytest -p no:ape_test -q tests/anvil tests/anvil_stack
	timeout 1800 $(PY) -m pytest -p no:ape_test -q tests/e2e

bench-gas: setup  ## gas from receipts on Anvil (vault + proofs) -> bench/results/gas.json
	timeout 900 $(VENV)/bin/ape run bench_gas
	timeout 900 $(VENV)/bin/ape run bench_proofs

bench-zk: setup  ## Merkle build, HPKE seal, audit decrypt+check -> bench/results/zk.json
	$(PY) -m bench.run_zk

bench-keeper: setup  ## fill ingestion into SQLite -> bench/results/keeper.json
	$(PY) -m bench.run_keeper
	$(PY) -m bench.epoch_close
	timeout 900 $(PY) -m bench.keeper_chain

bench-api: setup  ## API under uvicorn, driven from other processes -> bench/results/api.json
	timeout 900 $(PY) -m bench.api
	timeout 900 $(PY) -m bench.api_orders

lint: setup  ## ruff over the Python code
	$(VENV)/bin/ruff check vaultcraft scripts bench keeper api zk venue_sim tests

clean:  ## remove build outputs (keeps .venv and node_modules)
	rm -rf .build .cache .pytest_cache
