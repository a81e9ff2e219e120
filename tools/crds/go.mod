// Pins the upstream modules whose CRD manifests the local cluster installs.
// Nothing here is built: `go mod download -json` only locates the CRD files in the
// module cache (see harness/render/crds.py), so go.sum pins every byte the local cluster
// applies and offline schema validation reads.
module acme.local/tools/crds

go 1.26

require (
	github.com/cert-manager/cert-manager v1.21.2
	github.com/prometheus-operator/prometheus-operator v0.85.0
	github.com/traefik/traefik/v3 v3.6.12
	github.com/vmware-tanzu/velero v1.18.3
	sigs.k8s.io/gateway-api v1.6.3
)
