"""Kubernetes API clients for a kubeconfig, and a cheap reachability probe."""

from __future__ import annotations

from pathlib import Path

import yaml
from kubernetes import client, config
from kubernetes.client.exceptions import ApiException
from urllib3.exceptions import HTTPError

from ...core.errors import HarnessError


def api_client(kubeconfig: Path | None = None, context: str | None = None) -> client.ApiClient:
    """An ApiClient for `kubeconfig` (None: $KUBECONFIG or ~/.kube/config) and `context`."""
    try:
        return config.new_client_from_config(config_file=str(kubeconfig) if kubeconfig else None, context=context)
    # The client parses the file with PyYAML and lets its errors through: a garbled file is bad input too.
    except (config.ConfigException, OSError, yaml.YAMLError) as err:
        raise HarnessError(f"kubeconfig {kubeconfig or '(default)'}: {' '.join(str(err).split())}") from None


def reachable(api: client.ApiClient, timeout: float = 2.0) -> bool:
    """True when the API server answers /version within `timeout` seconds."""
    try:
        client.VersionApi(api).get_code(_request_timeout=timeout)
    except (ApiException, HTTPError, OSError):
        return False
    return True


def ready(api: client.ApiClient, timeout: float = 2.0) -> bool:
    """True when the API server's /readyz passes (storage and informers too, not only /version)."""
    try:
        answer = api.call_api("GET", f"{api.configuration.host}/readyz", _request_timeout=timeout)
    except (ApiException, HTTPError, OSError):
        return False
    return answer.status == 200
