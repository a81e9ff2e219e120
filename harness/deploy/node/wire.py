"""Connections opened for real from a short-lived pod on the real node: the measured side of the
isolation contract. The pod carries the labels of the source it stands for, in that source's
namespace; each target is a TCP connect, or a DNS query over UDP. Its findings come back as the
container's termination message (kubelet reports it in the pod's status), so nothing needs
`kubectl logs` or exec."""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import asdict, dataclass

from kubernetes import client
from kubernetes.client.exceptions import ApiException

from ...core.errors import HarnessError
from .agents import NODE_LABELS, NODE_TOLERATION, local_images
from .settings import NodeSettings

# The probe's image: the local backup image carries Python (for its S3 client) and nothing that listens.
PROBE_IMAGE = "backup"
CONNECT_TIMEOUT = 2.0
NEVER_READY_PORT = 1  # nothing in the probe listens
# kube-router adds a new pod's address to the policies' ipsets on the pod's event, so a connection
# opened before that is judged as from an unknown source. Probes without any wait passed in every
# run here; the second covers a kube-router slowed by a loaded machine.
POLICY_SYNC_SECONDS = 1.0
# A source whose first probe disagrees with the evaluator is probed again after this long.
RETRY_SYNC_SECONDS = 5.0
# Run inside the pod: one JSON line in, one JSON object (name -> "open" or why not) to the termination log.
SCRIPT = r"""
import concurrent.futures, json, socket, struct, sys, time
def dns(host, port, timeout):
    query = struct.pack(">HHHHHH", 0x4143, 0x0100, 1, 0, 0, 0)
    query += b"".join(bytes([len(p)]) + p.encode() for p in "kubernetes.default.svc.cluster.local".split(".")) + b"\0"
    query += struct.pack(">HH", 1, 1)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(timeout)
        s.sendto(query, (host, port))
        answer, _ = s.recvfrom(512)
    return "open" if answer[:2] == query[:2] else "wrong answer"
def tcp(host, port, timeout):
    with socket.create_connection((host, port), timeout=timeout):
        return "open"
def one(t):
    try:
        return (dns if t["protocol"] == "UDP" else tcp)(t["host"], t["port"], float(sys.argv[2]))
    except socket.timeout:
        return "timeout"
    except OSError as err:
        return type(err).__name__
time.sleep(float(sys.argv[3]))
targets = json.loads(sys.argv[1])
# all at once: a denied connection costs the whole timeout, and a source has a dozen of them
with concurrent.futures.ThreadPoolExecutor(max(1, len(targets))) as pool:
    results = dict(zip([t["name"] for t in targets], pool.map(one, targets)))
open("/dev/termination-log", "w").write(json.dumps(results, separators=(",", ":")))
"""


@dataclass(frozen=True)
class Target:
    name: str
    host: str  # an IP address (a pod's or a Service's)
    port: int
    protocol: str = "TCP"  # UDP: a DNS query


def probe_pod(node: NodeSettings, name: str, namespace: str, labels: dict[str, str], targets: list[Target],
              sync_seconds: float = POLICY_SYNC_SECONDS) -> dict:
    """The restricted pod that probes `targets` once and exits."""
    return {
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": name, "namespace": namespace, "labels": {**labels, "acme.dev/wire-probe": "true"}},
        "spec": {
            "restartPolicy": "Never", "terminationGracePeriodSeconds": 0, "automountServiceAccountToken": False,
            "nodeSelector": NODE_LABELS, "tolerations": [NODE_TOLERATION],
            "securityContext": {"runAsNonRoot": True, "runAsUser": 65534, "runAsGroup": 65534,
                                "seccompProfile": {"type": "RuntimeDefault"}},
            "containers": [{
                "name": "probe", "image": local_images(node)[PROBE_IMAGE].ref, "imagePullPolicy": "Never",
                "command": ["python3", "-c", SCRIPT, json.dumps([asdict(t) for t in targets]), str(CONNECT_TIMEOUT),
                            str(sync_seconds)],
                "securityContext": {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True,
                                    "capabilities": {"drop": ["ALL"]}},
                "resources": {"requests": {"cpu": "10m", "memory": "32Mi"}, "limits": {"cpu": "200m", "memory": "64Mi"}},
                # Never Ready, so never an endpoint of the Service whose pods' labels it wears.
                "readinessProbe": {"tcpSocket": {"port": NEVER_READY_PORT}, "periodSeconds": 60},
            }],
        },
    }


def measure(api: client.ApiClient, node: NodeSettings, namespace: str, labels: dict[str, str],
            targets: list[Target], timeout: float = 90, sync_seconds: float = POLICY_SYNC_SECONDS) -> dict[str, str]:
    """Target name -> "open", or what the connection met ("timeout", "ConnectionRefusedError", ...)."""
    core = client.CoreV1Api(api)
    name = f"wire-probe-{uuid.uuid4().hex[:8]}"
    core.create_namespaced_pod(namespace, probe_pod(node, name, namespace, labels, targets, sync_seconds))
    try:
        deadline = time.monotonic() + timeout
        while True:
            pod = core.read_namespaced_pod(name, namespace)
            if pod.status.phase in ("Succeeded", "Failed"):
                break
            if time.monotonic() > deadline:
                raise HarnessError(f"wire probe {namespace}/{name} still {pod.status.phase} after {timeout:.0f} s")
            time.sleep(0.3)
        terminated = pod.status.container_statuses[0].state.terminated
        try:
            return json.loads(terminated.message or "")
        except ValueError:
            raise HarnessError(f"wire probe {namespace}/{name} exited {terminated.exit_code} without results: "
                               f"{(terminated.message or terminated.reason or '')[:200]}") from None
    finally:
        try:
            core.delete_namespaced_pod(name, namespace, grace_period_seconds=0)
        except ApiException as err:
            if err.status != 404:
                raise
