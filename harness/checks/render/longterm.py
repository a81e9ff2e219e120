"""Long-term storage of an environment's telemetry (docs/observability.md), read from the values the
helmfile gives its upstream backends: Prometheus remote-writes into Mimir, Mimir, Loki and Tempo keep
their data in object storage with a retention, and no storage key is written into values.

The backends' charts come from repositories the build machines cannot reach, so these checks read
the values layers in helmfile order, merged as Helm merges them, rather than rendered objects.
"""

from __future__ import annotations

from typing import Any, Iterator
from urllib.parse import urlsplit

from ...core.manifests import ObjectRef
from ...core.yamlio import load_yaml_file
from ...render.helmfile import UpstreamRelease
from ...render.matrix import deep_merge
from ..registry import CheckSkipped, Needs, check

PROMETHEUS = "prometheus-community/kube-prometheus-stack"
MIMIR = "grafana/mimir-distributed"
LOKI = "grafana/loki"
TEMPO = "grafana-community/tempo"
OBJECT_STORES = ("s3", "gcs", "azure", "swift")
BUCKET_KEYS = {"s3": "bucket_name", "gcs": "bucket_name", "azure": "container_name", "swift": "container_name"}
# Keys under which the backends' charts take a storage credential literally.
CREDENTIAL_KEYS = frozenset({"accessKeyId", "secretAccessKey", "access_key_id", "secret_access_key", "access_key",
                             "secret_key", "account_key", "accountKey", "service_account", "serviceAccount_json"})


def ref(release: UpstreamRelease) -> ObjectRef:
    return ObjectRef("Release", release.namespace, release.name)


def values(release: UpstreamRelease) -> dict:
    """The release's values layers merged in order (Helm: maps merge, the rest is replaced)."""
    merged: dict = {}
    for path in release.values_files:
        layer = load_yaml_file(path) or {}
        merged = deep_merge(merged, layer) if isinstance(layer, dict) else merged
    return merged


def at(doc: Any, path: str) -> Any:
    for key in path.split("."):
        if not isinstance(doc, dict):
            return None
        doc = doc.get(key)
    return doc


def backends(scenario) -> dict[str, UpstreamRelease]:
    """chart -> release of the environment's upstream releases; a skip where there are none (local)."""
    state = scenario.helmfile
    if state is None or not state.upstream:
        raise CheckSkipped("the environment installs no upstream backends (local: the harness stands in for them)")
    return {release.chart: release for release in state.upstream}


def backend(scenario, chart: str, name: str) -> tuple[UpstreamRelease, dict]:
    """The environment's release of `chart` and its merged values; a skip where it has none."""
    release = backends(scenario).get(chart)
    if release is None:
        raise CheckSkipped(f"the environment installs no {name}")
    return release, values(release)


def not_object_storage(what: str, kind: Any) -> str:
    return f"{what} on {kind or 'the default'} storage, want object storage ({', '.join(OBJECT_STORES)})"


def in_a_bucket(check, release: UpstreamRelease, config: dict, kind_field: str, bucket_field, what: str) -> Iterator:
    """Findings unless `kind_field` names an object store and `bucket_field(kind)` a bucket in it."""
    kind = at(config, kind_field)
    if kind not in OBJECT_STORES:
        yield check.finding(ref(release), kind_field, not_object_storage(what, kind))
    elif not at(config, bucket_field(kind)):
        yield check.finding(ref(release), bucket_field(kind), f"no bucket for the {what}")


def unset_retention(value: Any) -> bool:
    return value in (None, "", 0, "0", "0s", "0d", "0h")


def metrics_remote_write(scenario, check):
    releases = backends(scenario)
    prometheus, mimir = releases.get(PROMETHEUS), releases.get(MIMIR)
    if prometheus is None:
        raise CheckSkipped("the environment installs no kube-prometheus-stack")
    writes = at(values(prometheus), "prometheus.prometheusSpec.remoteWrite") or []
    if mimir is None:
        yield check.finding(ref(prometheus), "prometheus.prometheusSpec.remoteWrite",
                            f"no {MIMIR} release in the environment: metrics live only in Prometheus' local retention")
        return
    push = f"{mimir.name}-gateway.{mimir.namespace}.svc.cluster.local/api/v1/push"
    if not writes:
        yield check.finding(ref(prometheus), "prometheus.prometheusSpec.remoteWrite",
                            f"no remote write: samples never reach Mimir (want http://{push})")
    for index, write in enumerate(writes):
        url = urlsplit(str((write or {}).get("url", "")))
        host = url.hostname or ""
        if not (host.startswith(f"{mimir.name}-") and host.split(".")[1:2] == [mimir.namespace]
                and url.path.endswith("/api/v1/push")):
            yield check.finding(ref(prometheus), f"prometheus.prometheusSpec.remoteWrite[{index}].url",
                                f"{url.geturl()!r} is not the push endpoint of Mimir release {mimir.namespace}/{mimir.name} "
                                f"(want http://{push})")
    config = values(mimir)
    if at(config, "minio.enabled") is not False:
        yield check.finding(ref(mimir), "minio.enabled", "the bundled MinIO is a demo store: disable it and use the cloud's object storage")
    structured = at(config, "mimir.structuredConfig") or {}
    store = at(structured, "blocks_storage.backend") or at(structured, "common.storage.backend")
    if store not in OBJECT_STORES:
        yield check.finding(ref(mimir), "mimir.structuredConfig.common.storage.backend", not_object_storage("blocks", store))
    else:
        key = BUCKET_KEYS[store]
        if not (at(structured, f"blocks_storage.{store}.{key}") or at(structured, f"common.storage.{store}.{key}")):
            yield check.finding(ref(mimir), f"mimir.structuredConfig.blocks_storage.{store}.{key}", "no bucket for the blocks")
    if unset_retention(at(structured, "limits.compactor_blocks_retention_period")):
        yield check.finding(ref(mimir), "mimir.structuredConfig.limits.compactor_blocks_retention_period",
                            "no retention: the compactor never deletes blocks and the bucket grows forever")


check("longterm.metrics-remote-write",
      "Prometheus remote-writes to the environment's Mimir, which keeps blocks in an object-storage bucket with a retention",
      metrics_remote_write, needs=Needs.ENVIRONMENT)


def logs_object_storage(scenario, check):
    loki, config = backend(scenario, LOKI, "Loki")
    yield from in_a_bucket(check, loki, config, "loki.storage.type", lambda _: "loki.storage.bucketNames.chunks", "log chunks")
    kind = at(config, "loki.storage.type")
    schemas = at(config, "loki.schemaConfig.configs") or []
    current = schemas[-1] if schemas and isinstance(schemas[-1], dict) else {}
    if kind in OBJECT_STORES and current.get("object_store") != kind:
        yield check.finding(ref(loki), f"loki.schemaConfig.configs[{max(len(schemas) - 1, 0)}].object_store",
                            f"the newest schema stores in {current.get('object_store')!r}, not in the {kind} storage")
    if unset_retention(at(config, "loki.limits_config.retention_period")):
        yield check.finding(ref(loki), "loki.limits_config.retention_period", "no retention period: logs are kept forever")
    if at(config, "loki.compactor.retention_enabled") is not True:
        yield check.finding(ref(loki), "loki.compactor.retention_enabled",
                            "the compactor's retention is off, so Loki ignores the retention period and deletes nothing")
    elif not at(config, "loki.compactor.delete_request_store"):
        yield check.finding(ref(loki), "loki.compactor.delete_request_store",
                            "retention needs a delete-request store (Loki refuses to start without one)")


check("longterm.logs-object-storage",
      "Loki keeps chunks and index in an object-storage bucket and its compactor enforces a retention period",
      logs_object_storage, needs=Needs.ENVIRONMENT)


def traces_object_storage(scenario, check):
    tempo, config = backend(scenario, TEMPO, "Tempo")
    yield from in_a_bucket(check, tempo, config, "tempo.storage.trace.backend",
                           lambda kind: f"tempo.storage.trace.{kind}.{'bucket' if kind in ('s3', 'gcs') else 'container_name'}",
                           "trace blocks")
    if unset_retention(at(config, "tempo.retention")):
        yield check.finding(ref(tempo), "tempo.retention", "no retention: trace blocks are kept forever")


check("longterm.traces-object-storage", "Tempo keeps trace blocks in an object-storage bucket with a retention",
      traces_object_storage, needs=Needs.ENVIRONMENT)


def literal_credentials(doc: Any, path: str = "") -> Iterator[str]:
    """Paths of credential keys holding a literal (a ${VAR} reference is read from the environment)."""
    if isinstance(doc, dict):
        for key, value in doc.items():
            here = f"{path}.{key}" if path else str(key)
            if key in CREDENTIAL_KEYS and isinstance(value, str) and value and not value.startswith("${"):
                yield here
            else:
                yield from literal_credentials(value, here)
    elif isinstance(doc, list):
        for index, item in enumerate(doc):
            yield from literal_credentials(item, f"{path}[{index}]")


def no_inline_credentials(scenario, check):
    releases = backends(scenario)
    stores = [releases[chart] for chart in (MIMIR, LOKI, TEMPO) if chart in releases]
    if not stores:
        raise CheckSkipped("the environment installs no storage backend")
    for release in stores:
        for path in literal_credentials(values(release)):
            yield check.finding(ref(release), path, "a storage credential in values (git): reference a Secret instead")


check("longterm.no-inline-credentials",
      "no object-storage key is written into the storage backends' values (they come from a Secret)",
      no_inline_credentials, needs=Needs.ENVIRONMENT)
