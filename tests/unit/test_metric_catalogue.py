"""policy/exported-metrics.yaml: the series names each family gives a query, and one sentence per bad entry."""

from __future__ import annotations

import pytest

from harness.core.errors import HarnessError
from harness.policy.metrics import catalogue_path, load_catalogue
from factories import REPO_ROOT


def test_families_expand_to_the_series_a_query_selects():
    catalogue = load_catalogue(catalogue_path(REPO_ROOT))
    api = catalogue.exporter("acme-api").series_names()
    assert {"http_server_request_duration_seconds_bucket", "http_server_request_duration_seconds_sum",
            "http_server_request_duration_seconds_count", "acme_api_database_up"} <= api
    assert "http_server_request_duration_seconds" not in api  # a classic histogram has no series of that name
    assert catalogue.exporter_of("up") == "prometheus"
    assert catalogue.exporter_of("kube_pod_info") is None


@pytest.mark.parametrize(("text", "message"), [
    ("exporters: []", "expected a mapping with a non-empty `exporters` list"),
    ("exporters: [{source: x, metrics: {a: gauge}}]", "exporters[0]: every exporter needs a `name`"),
    ("exporters: [{name: api, metrics: {a: gauge}}]", "exporter api: `source` must say where the list comes from"),
    ("exporters: [{name: api, source: x, metrics: []}]", "exporter api: `metrics` must map family names to types"),
    ("exporters: [{name: api, source: x, metrics: {a: histogramm}}]",
     "exporter api: metrics.a: type 'histogramm', want one of counter, gauge, untyped, histogram, summary"),
], ids=["empty", "no-name", "no-source", "metrics-a-list", "unknown-type"])
def test_bad_entry_is_one_sentence(tmp_path, text, message):
    path = tmp_path / "exported-metrics.yaml"
    path.write_text(text)
    with pytest.raises(HarnessError) as raised:
        load_catalogue(path)
    assert str(raised.value) == f"{path}: {message}"


def test_missing_catalogue_is_named(tmp_path):
    with pytest.raises(HarnessError, match="the exported-metrics catalogue is missing"):
        load_catalogue(tmp_path / "exported-metrics.yaml")
