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
# every harness command: `harness --help` lists them, harness/cli/<group>.py runs each
HARNESS := $(PY) -m harness
ENV ?= local
BASE_REF ?= origin/main
CHARTS := $(sort $(patsubst %/Chart.yaml,%,$(wildcard charts/*/Chart.yaml)))
# the chart that tests acme-lib's helpers once (helm-unittest cannot render a library chart itself)
LIB_CONSUMER := charts/acme-lib/tests/consumer
# charts whose README values table helm-docs generates (they carry a README.md.gotmpl)
DOCUMENTED := $(patsubst %/README.md.gotmpl,%,$(shell find charts -name README.md.gotmpl | sort))
REPORTS := $(ROOT)/build/reports
export PATH := $(TOOLS_BIN):$(PATH)
comma := ,
space := $(subst ,, )

.PHONY: help
help: ## list every target with one line each
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z0-9_-]+:.*## / {printf "  %-14s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

.PHONY: tools
tools: ## build the pinned tools (helm 4/3, helmfile, plugins, kwok, etcd, Kubernetes, the real node's stack unless ACME_REAL_NODE=0) and the local images into the cache; link .tools/bin
	@tools/build-tools.sh

.PHONY: images
images: ## build (or reuse) the local cluster's images from pinned inputs; index at .tools/images/index.json
	@tools/build-tools.sh images

.PHONY: images-lock
images-lock: ## re-pin the images' Debian packages to apt's current candidates (images/debian.lock.json)
	@ACME_BUILD_IMAGES=0 tools/build-tools.sh images
	@$(TOOLS_BIN)/acme-image lock -root $(ROOT)

.PHONY: venv
venv: $(VENV)/.installed ## create the Python virtual environment with pinned dependencies

$(VENV)/.installed: pyproject.toml constraints.txt
	@command -v python3.11 >/dev/null || { echo "venv: python3.11 not found on PATH (see README prerequisites)" >&2; exit 1; }
	@python3.11 -m venv $(VENV)
	@$(PY) -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test]' \
	  || { echo "venv: pip install failed (PyPI unreachable?); retry with: make venv" >&2; exit 1; }
	@touch $@

.PHONY: deps
deps: tools venv ## vendor file:// chart dependencies of every chart when stale (helm dependency build; the .tgz files are gitignored)
	@$(HARNESS) deps

.PHONY: lint
lint: deps venv ## helm lint --strict on every ci scenario, values-table drift, helmfile lint, actionlint; peers: kube-score, kubeconform, ct lint --all
	@$(HARNESS) lint
	@actionlint -no-color .github/workflows/*.yaml
	@$(HARNESS) peers

.PHONY: unittest
unittest: deps ## run the helm-unittest suites of every chart and of acme-lib's consumer chart
	@helm unittest --strict $(CHARTS) $(LIB_CONSUMER)

.PHONY: test-render
test-render: deps venv ## render the full values matrix and run every invariant check (JUnit: build/reports/render.xml)
	@$(HARNESS) check --format table --junit $(REPORTS)/render.xml

.PHONY: test-rules
test-rules: tools ## promtool unit tests of the alert rules the observability subchart ships
	@promtool test rules tests/observability/rules/*.test.yaml

.PHONY: backup-deps
backup-deps: ## PostgreSQL + AWS CLI (Debian) and moto's S3 server (own venv) for the backup round trip
	@tests/backup/install-deps.sh

.PHONY: collector-deps
collector-deps: ## the real Pushgateway (Debian's package, pinned, unpacked under .cache/collector) for tests/collector
	@tests/collector/install-deps.sh

.PHONY: pytest
pytest: deps venv backup-deps collector-deps ## run the Python test suite without the cluster tests (unit, render, backup and collector round trips)
	@rc=0; ACME_REQUIRE_BACKUP_DEPS=1 ACME_REQUIRE_COLLECTOR_DEPS=1 $(PY) -m pytest -m "not e2e" --durations=15 || rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest: no tests were collected; that is a failure here" >&2; exit 1; fi; \
	exit $$rc

# Built once before `make test` runs its parts side by side: two makes must never build the same
# tool or chart archive at once. (-o is not passed down to sub-makes, so each one names it.)
BUILT := -o tools -o deps -o backup-deps -o collector-deps

.PHONY: test
test: deps venv backup-deps collector-deps ## every test: the real node's suites (the longest) from the start, beside lint, unittest, alert-rule tests and test-render, then pytest and the simulated suites
	@# they wait on processes and clusters far more than they compute, so three share the two cores;
	@# each one's output is printed whole when it ends
	@$(MAKE) --no-print-directory $(BUILT) -j3 --output-sync=target e2e-node suites-after-checks

# Part of `make test`: pytest and the simulated suites once the static checks passed.
.PHONY: suites-after-checks
suites-after-checks: lint unittest test-rules test-render
	@$(MAKE) --no-print-directory $(BUILT) --output-sync=target pytest e2e-simulated

.PHONY: mutation
mutation: deps venv ## mutation score of the render checks, smoke checks and NetworkPolicy evaluator against tests/mutation/baseline.json (PACKAGES="render smoke netpol" or single files such as harness/checks/render/tls.py, UPDATE=1 rewrites the baseline)
	@$(PY) tests/mutation/mutation_ratchet.py $(if $(UPDATE),--update-baseline) $(PACKAGES)

.PHONY: demo
demo: tools venv backup-deps ## the main job: tools -> local cluster -> helmfile apply -> smoke checks -> summary (ENV=staging|production needs CONFIRM=<kube context>)
	@$(HARNESS) demo --env $(ENV) $(if $(CONFIRM),--confirm-context $(CONFIRM))

.PHONY: cluster-up
cluster-up: tools venv backup-deps ## start the local cluster: control plane, kwok nodes and, as root, one real node (ACME_REAL_NODE=0: not); idempotent; kubeconfig at .cache/cluster/kubeconfig
	@$(HARNESS) cluster up

.PHONY: cluster-down
cluster-down: venv ## delete the local cluster (idempotent)
	@$(HARNESS) cluster down

.PHONY: smoke
smoke: venv ## smoke-check the releases deployed to ENV (default local); reports build/reports/smoke-ENV.{xml,json}
	@$(HARNESS) smoke --env $(ENV) --junit $(REPORTS)/smoke-$(ENV).xml --json $(REPORTS)/smoke-$(ENV).json

.PHONY: e2e
e2e: e2e-simulated e2e-node ## cluster tests: the simulated nodes' suites and the real node's, each on its own local cluster (`make -j2 e2e` runs them side by side, as `make test` does)

.PHONY: e2e-simulated
e2e-simulated: deps tools venv ## the schema validation and the simulated nodes' suites on the local cluster, its real node left out; stops the cluster if this target started it
	@started=0; $(HARNESS) cluster status >/dev/null 2>&1 || started=1; \
	ACME_REAL_NODE=0 $(HARNESS) cluster up; $(HARNESS) node down >/dev/null; rc=0; \
	$(HARNESS) check --only schema.kubernetes --kubeconfig $(ROOT)/.cache/cluster/kubeconfig \
	  --junit $(REPORTS)/schemas.xml || rc=$$?; \
	if [ $$rc -eq 0 ]; then ACME_REAL_NODE=0 ACME_REQUIRE_CLUSTER=1 $(PY) -m pytest -m e2e --durations=10 --ignore=tests/node || rc=$$?; fi; \
	if [ $$started = 1 ]; then $(HARNESS) cluster down; fi; \
	if [ $$rc -eq 5 ]; then echo "e2e-simulated: no tests were collected; that is a failure here" >&2; exit 1; fi; exit $$rc

# The real node's suites get a second cluster from this checkout (its own name, port and .cache
# directories), so they need not wait for the simulated suites, which assert a cluster without it.
NODE_CLUSTER := ACME_CLUSTER_NAME=acme-node ACME_CLUSTER_PORT=$$(( $${ACME_CLUSTER_PORT:-16443} + 100 ))

.PHONY: e2e-node
e2e-node: deps tools venv backup-deps ## tests/node on a second local cluster (name acme-node, port ACME_CLUSTER_PORT+100) with the real node joined (ACME_REAL_NODE=0: left out, said so); stops it if this target started it
	@if [ "$${ACME_REAL_NODE:-1}" = 0 ]; then echo "e2e-node: ACME_REAL_NODE=0, the real node's suites are left out"; exit 0; fi; \
	export $(NODE_CLUSTER); started=0; $(HARNESS) cluster status >/dev/null 2>&1 || started=1; rc=0; \
	$(HARNESS) cluster up && ACME_REQUIRE_CLUSTER=1 $(PY) -m pytest -m e2e --durations=15 tests/node || rc=$$?; \
	if [ $$started = 1 ]; then $(HARNESS) cluster down; fi; \
	if [ $$rc -eq 5 ]; then echo "e2e-node: no tests were collected; that is a failure here" >&2; exit 1; fi; exit $$rc

.PHONY: bench
bench: tools venv collector-deps ## benchmarks: render matrix vs plain helm, collector restart, cluster start/apply/smoke (recreates the local cluster)
	@$(PY) benchmarks/render_bench.py
	@$(PY) benchmarks/collector_restart.py
	@$(PY) benchmarks/cluster_bench.py

.PHONY: release
release: deps venv ## preflight, helmfile diff+apply, smoke, automatic rollback; report build/reports/release-ENV.{md,xml}; CONFIRM=<context> off local
	@$(HARNESS) release --env $(ENV) --report-dir $(REPORTS) $(if $(CONFIRM),--confirm-context $(CONFIRM))

.PHONY: version-check
version-check: venv ## charts changed since BASE_REF carry a higher version; Chart.yaml and CHANGELOG complete
	@$(HARNESS) version-check --base-ref $(BASE_REF)

.PHONY: package
package: deps venv ## helm package every chart into build/charts; PUSH=oci://host/repo pushes and verifies by pulling back
	@$(HARNESS) package --out build/charts $(if $(PUSH),--push $(PUSH))

.PHONY: docs
docs: deps venv ## regenerate the architecture pictures (README, docs/architecture.md) and chart READMEs
	@$(HARNESS) docs
	@helm-docs --log-level error --chart-search-root charts -g $(subst $(space),$(comma),$(DOCUMENTED))

.PHONY: schema
schema: venv ## regenerate values.schema.json of the charts with a values.schema.src.json from acme-lib's fragments
	@$(HARNESS) schema

.PHONY: verify
verify: deps venv ## fail when generated files drifted (values schemas, architecture pictures; chart values tables, checked by lint)
	@$(HARNESS) schema --check
	@$(HARNESS) docs --check
	@$(HARNESS) lint

SCAN_VENV := $(ROOT)/.venv-scan

$(SCAN_VENV)/.installed: tools/checkov/requirements.txt
	@python3.11 -m venv $(SCAN_VENV)
	@$(SCAN_VENV)/bin/pip install --quiet --disable-pip-version-check -r tools/checkov/requirements.txt \
	  || { echo "scan: pip install of checkov failed (PyPI unreachable?); retry with: make scan" >&2; exit 1; }
	@touch $@

.PHONY: scan
scan: deps venv $(SCAN_VENV)/.installed ## opt-in: checkov policy scan of every environment (0 blocking findings; exceptions in policy/)
	@$(HARNESS) scan

.PHONY: compat
compat: deps venv ## Helm 3 vs Helm 4: every scenario renders the same manifests
	@$(HARNESS) compat

.PHONY: clean
clean: ## remove build outputs, the venv and .tools links (the tool cache outside the clone stays)
	@rm -rf build .venv .venv-scan .tools .pytest_cache
