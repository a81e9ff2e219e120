"""prometheus_api.value: the one number of an aggregating query, None for no series, an error for several."""

from __future__ import annotations

import pytest

from harness.live import prometheus_api


@pytest.mark.parametrize(("data", "expected"), [
    ({"resultType": "vector", "result": [{"metric": {}, "value": [1, "0.25"]}]}, 0.25),
    ({"resultType": "vector", "result": [{"metric": {}, "value": [1, "NaN"]}]}, "nan"),
    ({"resultType": "vector", "result": []}, None),
    ({"resultType": "scalar", "result": [1, "3"]}, 3.0),
])
def test_value(monkeypatch, data: dict, expected) -> None:
    monkeypatch.setattr(prometheus_api, "_get", lambda url, path, params=None, timeout=0: data)
    got = prometheus_api.value("http://p", "sum(x)")
    assert (str(got) == "nan") if expected == "nan" else got == expected


def test_several_series_are_refused(monkeypatch) -> None:
    data = {"resultType": "vector", "result": [{"metric": {"a": "1"}, "value": [1, "1"]},
                                               {"metric": {"a": "2"}, "value": [1, "2"]}]}
    monkeypatch.setattr(prometheus_api, "_get", lambda url, path, params=None, timeout=0: data)
    with pytest.raises(prometheus_api.PrometheusError, match=r"^x: 2 series where one number was expected$"):
        prometheus_api.value("http://p", "x")


def test_vector_asks_at_the_given_instant_and_refuses_a_scalar(monkeypatch) -> None:
    asked = []
    data = {"resultType": "vector", "result": [{"metric": {"pod": "a"}, "value": [1, "7"]}]}
    monkeypatch.setattr(prometheus_api, "_get", lambda url, path, params=None, timeout=0: asked.append(params) or data)
    assert prometheus_api.vector("http://p", "x", at=12.5) == [({"pod": "a"}, 7.0)]
    assert asked == [{"query": "x", "time": "12.500"}]
    monkeypatch.setattr(prometheus_api, "_get", lambda url, path, params=None, timeout=0: {"resultType": "scalar",
                                                                                          "result": [1, "3"]})
    with pytest.raises(prometheus_api.PrometheusError, match=r"^x: a scalar where a vector was expected$"):
        prometheus_api.vector("http://p", "x")
