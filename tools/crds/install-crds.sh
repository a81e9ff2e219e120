#!/usr/bin/env bash
# Installs the pinned upstream CRDs (tools/crds/crds.txt) into the cluster of $KUBECONFIG
# (default: the local cluster). `go mod download -json` locates them in the module cache.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
exec "$root/.venv/bin/python" -m harness cluster crds "$@"
