"""Node-local storage checks: what the scheduler reserves for a pod, and quantities as Kubernetes reads them."""

from __future__ import annotations

import pytest

import factories as f
from checking import refs, run_check
from harness.core.quantity import parse_quantity

SCRATCH = [{"name": "backup", "emptyDir": {"sizeLimit": "2Gi"}}, {"name": "tmp", "emptyDir": {"sizeLimit": "64Mi"}}]
FIELD = "spec.jobTemplate.spec.template.spec.containers[0].resources.requests.ephemeral-storage"


def requesting(name: str, amount: str | None) -> dict:
    requests = {"cpu": "50m", "memory": "128Mi", **({"ephemeral-storage": amount} if amount else {})}
    return f.container(name, resources={"requests": requests, "limits": {"memory": "512Mi"}})


@pytest.mark.parametrize(("init", "app", "reported"), [
    ("2112Mi", None, False),  # the init container alone: the pod's request is the larger of init and the rest
    (None, "2112Mi", False),
    ("2Gi", "64Mi", True),  # neither side covers 2Gi + 64Mi
    (None, "2Gi", True),
], ids=["init-covers", "app-covers", "split-falls-short", "tmp-not-counted"])
def test_ephemeral_request_is_the_pods_effective_request(init, app, reported):
    job = f.cronjob(init=[requesting("dump", init)], containers=[requesting("upload", app)], volumes=SCRATCH)
    found = refs(run_check("storage.ephemeral-request", f.scenario(job)))
    assert found == ({("storage.ephemeral-request", "CronJob/acme/acme-db-backup", FIELD)} if reported else set())


def test_memory_backed_emptydir_needs_no_ephemeral_request():
    job = f.cronjob(volumes=[{"name": "run", "emptyDir": {"medium": "Memory", "sizeLimit": "1Gi"}}])
    assert run_check("storage.ephemeral-request", f.scenario(job)) == []


def test_serving_pods_are_not_asked_for_ephemeral_requests():
    docs = [f.deployment(volumes=[{"name": "tmp", "emptyDir": {"sizeLimit": "64Mi"}}])]
    assert run_check("storage.ephemeral-request", f.scenario(*docs)) == []
    assert run_check("storage.emptydir-size-limit", f.scenario(*docs)) == []


QUANTITIES = ["2Gi", "1536Ki", "64Mi", "1Ti", "500M", "1.5G", "100m", "0.5", "1e3", "2E", "3Ei", "12", ".5Mi"]


@pytest.mark.parametrize("text", QUANTITIES, ids=QUANTITIES)
def test_quantity_agrees_with_the_kubernetes_client(text):
    from kubernetes.utils.quantity import parse_quantity as client_parse

    assert parse_quantity(text) == client_parse(text)


@pytest.mark.parametrize("text", ["", "Gi", "2GB", "1.2.3", "two"], ids=repr)
def test_quantity_refuses_what_kubernetes_refuses(text):
    from kubernetes.utils.quantity import parse_quantity as client_parse

    with pytest.raises(ValueError):
        parse_quantity(text)
    with pytest.raises(ValueError):
        client_parse(text)
