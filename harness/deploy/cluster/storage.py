"""Cluster-wide objects the local environment expects but no operator creates here:
a default StorageClass with static PVs (cluster/storage.yaml), so PVCs bind without a
provisioner, and the operators' namespaces (cluster/namespaces.yaml)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from kubernetes import client
from kubernetes.client.exceptions import ApiException

from ...core.errors import HarnessError
from ...core.yamlio import load_yaml_file


def volume_path(index: int) -> str:
    return f"/var/lib/kwok-volumes/{index}"


def volume_paths(storage_file: Path) -> list[str]:
    return [volume_path(i) for i in range(1, int(load_yaml_file(storage_file)["volumes"]) + 1)]


def storage_manifests(storage_file: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    spec = load_yaml_file(storage_file)
    cls = spec["storageClass"]
    storage_class = {
        "apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
        "metadata": {"name": cls, "annotations": {"storageclass.kubernetes.io/is-default-class": "true"}},
        "provisioner": "kubernetes.io/no-provisioner", "volumeBindingMode": "Immediate", "reclaimPolicy": "Retain",
    }
    volumes = [{
        "apiVersion": "v1", "kind": "PersistentVolume",
        "metadata": {"name": f"{cls}-{i}", "labels": {"type": "kwok"}},
        "spec": {"storageClassName": cls, "capacity": {"storage": spec["size"]}, "accessModes": ["ReadWriteOnce"],
                 "persistentVolumeReclaimPolicy": "Retain", "hostPath": {"path": volume_path(i)}},
    } for i in range(1, int(spec["volumes"]) + 1)]
    return storage_class, volumes


def _create(create: Callable[[dict[str, Any]], Any], body: dict[str, Any]) -> None:
    try:
        create(body)
    except ApiException as err:
        if err.status != 409:  # already there: up is idempotent
            raise HarnessError(f"cluster: creating {body['kind']} {body['metadata']['name']} failed: {err.reason}") from None


def ensure_storage(api: client.ApiClient, storage_file: Path) -> None:
    storage_class, volumes = storage_manifests(storage_file)
    _create(client.StorageV1Api(api).create_storage_class, storage_class)
    for volume in volumes:
        _create(client.CoreV1Api(api).create_persistent_volume, volume)


def ensure_namespaces(api: client.ApiClient, namespaces_file: Path) -> None:
    for name in load_yaml_file(namespaces_file)["namespaces"]:
        _create(client.CoreV1Api(api).create_namespace, {"kind": "Namespace", "metadata": {"name": name}})
