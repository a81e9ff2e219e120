# Acme chart suite: the front door. `make` (or `make help`) lists every target.
# Only local files are included; nothing here reaches the network except `tools`/`venv`,
# which fetch pinned Go modules and PyPI packages.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-builtin-rules --no-print-directory

ROOT := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
TOOLS_BIN := $(ROOT)/.tools/bin
VENV := $(ROOT)/.venv
PY := $(VENV)/bin/python
ENV ?= local
CHARTS := $(sort $(patsubst %/Chart.yaml,%,$(wildcard charts/*/Chart.yaml)))
# charts that pull a sibling chart in through a file:// dependency
DEP_CHARTS := $(sort $(dir $(shell grep -l 'file://' charts/*/Chart.yaml 2>/dev/null)))
REPORTS := $(ROOT)/build/reports
export PATH := $(TOOLS_BIN):$(PATH)

.PHONY: help
help: ## list every target with one line each
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z0-9_-]+:.*## / {printf "  %-14s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

.PHONY: tools
tools: ## build the pinned tools (helm 4/3, helmfile, plugins, kwok, etcd, Kubernetes) into the cache; link .tools/bin
	@tools/build-tools.sh

.PHONY: venv
venv: $(VENV)/.installed ## create the Python virtual environment with pinned dependencies

$(VENV)/.installed: pyproject.toml constraints.txt
	@command -v python3.11 >/dev/null || { echo "venv: python3.11 not found on PATH (see README prerequisites)" >&2; exit 1; }
	@python3.11 -m venv $(VENV)
	@$(PY) -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test]' \
	  || { echo "venv: pip install failed (PyPI unreachable?); retry with: make venv" >&2; exit 1; }
	@touch $@

.PHONY: deps
deps: tools ## vendor file:// chart dependencies (helm dependency build; the .tgz files are gitignored)
	@for chart in $(DEP_CHARTS); do helm dependency build --skip-refresh $$chart >/dev/null \
	  || { echo "deps: helm dependency build $$chart failed" >&2; exit 1; }; done

.PHONY: lint
lint: deps venv ## helm lint --strict on every ci scenario, values-table drift, helmfile lint
	@$(PY) -m harness lint

.PHONY: unittest
unittest: deps ## run the helm-unittest suites of every chart
	@helm unittest --strict $(CHARTS)

.PHONY: test-render
test-render: deps venv ## render the full values matrix and run every invariant check (JUnit: build/reports/render.xml)
	@$(PY) -m harness check --format table --junit $(REPORTS)/render.xml

.PHONY: test-rules
test-rules: tools ## promtool unit tests of the alert rules the observability subchart ships
	@promtool test rules tests/observability/rules/*.test.yaml

.PHONY: backup-deps
backup-deps: ## PostgreSQL + AWS CLI (Debian) and moto's S3 server (own venv) for the backup round trip
	@tests/backup/install-deps.sh

.PHONY: pytest
pytest: deps venv backup-deps ## run the Python test suite (unit, render, backup round trip; e2e when a cluster is up)
	@rc=0; ACME_REQUIRE_BACKUP_DEPS=1 $(PY) -m pytest || rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest: no tests were collected; that is a failure here" >&2; exit 1; fi; \
	exit $$rc

.PHONY: test
test: lint unittest test-rules test-render pytest ## every test: lint, unittest, alert-rule tests, test-render, pytest

.PHONY: demo
demo: ## the main job: tools -> local cluster -> helmfile apply -> smoke checks -> summary
	@echo "demo: not implemented yet (local cluster and smoke checks land with issue 6)" >&2; exit 2

.PHONY: clean
clean: ## remove build outputs, the venv and .tools links (the tool cache outside the clone stays)
	@rm -rf build .venv .tools .pytest_cache
