"""Which hosts the http.* checks probe: each component's deployed hosts, in order, once each; the
contract's host when nothing of the component is deployed; and no probe at all without a data plane."""

from __future__ import annotations

import pytest

from harness.checks.registry import CheckSkipped, all_checks, Subject
from harness.checks.smoke import http
from harness.live.settings import SmokeSettings
from harness.live.snapshot import Snapshot

SETTINGS = SmokeSettings()


def labelled(component: str | None, spec: dict | None) -> dict:
    metadata = {"name": f"acme-{component}", "namespace": "acme"}
    if component is not None:
        metadata["labels"] = {"app.kubernetes.io/component": component}
    return {"metadata": metadata, **({"spec": spec} if spec is not None else {})}


def rules(*hosts: str | None) -> dict:
    return {"rules": [{"host": h} if h is not None else {} for h in hosts]}


def test_each_components_hosts_in_order_once_each():
    snap = Snapshot(namespace="acme",
                    ingresses=[labelled(None, rules("other.acme.com")), labelled("api", rules("api.acme.com", None)),
                               labelled("ui", rules("www.acme.com", "www.acme.com"))],
                    http_routes=[labelled("ui", None), labelled("ui", {"hostnames": ["app.acme.com", "www.acme.com"]}),
                                 labelled("api", {"hostnames": ["api.acme.com", "v2.api.acme.com"]})])
    assert http._ui(snap, SETTINGS) == ["www.acme.com", "app.acme.com"]
    assert http.api_hosts(snap, SETTINGS) == ["api.acme.com", "v2.api.acme.com"]


def test_the_contracts_host_when_the_component_is_not_deployed():
    snap = Snapshot(namespace="acme", ingresses=[labelled("metrics", rules("metrics.acme.com"))])
    assert http._ui(snap, SETTINGS) == [SETTINGS.http.ui_host]
    assert http.api_hosts(snap, SETTINGS) == [SETTINGS.http.api_host]


@pytest.mark.parametrize("check", [c for c in all_checks(Subject.SNAPSHOT) if c.id.startswith("http.")], ids=lambda c: c.id)
def test_without_a_data_plane_nothing_is_probed(check):
    with pytest.raises(CheckSkipped, match=r"^no data plane$"):
        list(check.run(Snapshot(namespace="acme"), SmokeSettings(data_plane=False), check))
