"""The local cluster's object store as the harness reaches it from the host (moto's S3 server on the
real node's address, cluster/addons/object-storage.yaml): S3 REST calls, path-style, signed with
Signature Version 4 and the key pair of the backup CronJob's Secret (moto keeps objects private to
signed callers); and what a release needs there: that bucket and that Secret (generated here,
never in git)."""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import secrets
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from kubernetes import client
from kubernetes.client.exceptions import ApiException

from ...core.errors import HarnessError
from ...core.project import Project
from ..cluster.settings import ClusterSettings
from ..node import lifecycle as node_lifecycle
from ..node import object_storage
from ..node.settings import NodeSettings
from .jobs import Obj, read

S3_NS = "{http://s3.amazonaws.com/doc/2006-03-01/}"
DUMP_CRONJOB = "acme-db-backup"  # the backup chart's dump CronJob, whose upload container names the store


@dataclass(frozen=True)
class Destination:
    """Where a backup CronJob writes: its upload container's S3 settings."""
    endpoint: str
    bucket: str
    prefix: str
    region: str
    secret: str
    key_id_key: str
    secret_key_key: str


def destination(cronjob: Obj, container: str = "upload") -> Destination:
    """The S3 settings the chart rendered into the CronJob's `container` (backup.objectStorageEnv)."""
    pod = cronjob["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    found = [c for c in (pod.get("containers") or []) + (pod.get("initContainers") or []) if c["name"] == container]
    if not found:
        raise HarnessError(f"CronJob {cronjob['metadata']['name']}: no container {container}")
    env = {item["name"]: item for item in found[0].get("env") or []}

    def value(name: str) -> str:
        return (env.get(name) or {}).get("value") or ""

    def secret_ref(name: str) -> dict:
        return ((env.get(name) or {}).get("valueFrom") or {}).get("secretKeyRef") or {}

    key_id, secret_key = secret_ref("AWS_ACCESS_KEY_ID"), secret_ref("AWS_SECRET_ACCESS_KEY")
    if not value("S3_BUCKET") or not key_id.get("name"):
        raise HarnessError(f"CronJob {cronjob['metadata']['name']}: container {container} names no S3_BUCKET "
                           "or no AWS_ACCESS_KEY_ID Secret")
    return Destination(value("S3_ENDPOINT"), value("S3_BUCKET"), value("S3_PREFIX"),
                       value("AWS_DEFAULT_REGION") or "us-east-1", key_id["name"],
                       key_id.get("key", ""), secret_key.get("key", ""))


@dataclass(frozen=True)
class Credentials:
    key_id: str
    secret_key: str
    region: str


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def _quote(text: str, safe: str = "-_.~") -> str:
    return urllib.parse.quote(text, safe=safe)


def authorization(method: str, path: str, query: dict[str, str], headers: dict[str, str], payload_sha256: str,
                  credentials: Credentials, now: datetime.datetime) -> str:
    """The Authorization header of Signature Version 4 for S3; `headers` (lower-case names, host and
    x-amz-date among them) are the ones signed, `path` is the request's path before encoding."""
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    scope = f"{stamp[:8]}/{credentials.region}/s3/aws4_request"
    signed = ";".join(sorted(headers))
    canonical = "\n".join([method, _quote(path, safe="/-_.~"),
                           "&".join(f"{_quote(k)}={_quote(v)}" for k, v in sorted(query.items())),
                           "".join(f"{name}:{headers[name].strip()}\n" for name in sorted(headers)),
                           signed, payload_sha256])
    text = "\n".join(["AWS4-HMAC-SHA256", stamp, scope, hashlib.sha256(canonical.encode()).hexdigest()])
    key = ("AWS4" + credentials.secret_key).encode()
    for part in (stamp[:8], credentials.region, "s3", "aws4_request"):
        key = _hmac(key, part)
    signature = hmac.new(key, text.encode(), hashlib.sha256).hexdigest()
    return f"AWS4-HMAC-SHA256 Credential={credentials.key_id}/{scope}, SignedHeaders={signed}, Signature={signature}"


class ObjectStore:
    """S3's REST API, path-style (what S3-compatible servers all answer), signed with `credentials`."""

    def __init__(self, base_url: str, credentials: Credentials, timeout: float = 30):
        self.base_url, self.credentials, self.timeout = base_url.rstrip("/"), credentials, timeout

    def _call(self, method: str, path: str, data: bytes | None = None, query: dict[str, str] | None = None) -> bytes:
        query = query or {}
        payload = hashlib.sha256(data or b"").hexdigest()
        now = datetime.datetime.now(datetime.timezone.utc)
        headers = {"host": urllib.parse.urlsplit(self.base_url).netloc, "x-amz-content-sha256": payload,
                   "x-amz-date": now.strftime("%Y%m%dT%H%M%SZ")}
        headers["authorization"] = authorization(method, f"/{path}", query, headers, payload, self.credentials, now)
        # urllib would call a body form data, which the server then parses away
        headers["content-type"] = "application/octet-stream"
        url = f"{self.base_url}/{_quote(path, safe='/-_.~')}" + \
            ("?" + "&".join(f"{_quote(k)}={_quote(v)}" for k, v in sorted(query.items())) if query else "")
        request = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:
                return answer.read()
        except urllib.error.HTTPError as err:
            raise HarnessError(f"object store {self.base_url}: {method} /{path}: {err.code} {err.reason}") from None
        except (urllib.error.URLError, OSError) as err:
            raise HarnessError(f"object store {self.base_url} unreachable ({method} /{path}): {err}") from None

    def ensure_bucket(self, bucket: str) -> bool:
        """Create `bucket` in the credentials' region unless it exists; whether it was created."""
        try:
            self._call("HEAD", bucket)
            return False
        except HarnessError as err:
            if ": 404 " not in str(err):
                raise
        region = self.credentials.region
        body = b"" if region == "us-east-1" else (  # S3 creates outside us-east-1 only when told the region
            f'<CreateBucketConfiguration xmlns="{S3_NS[1:-1]}"><LocationConstraint>{region}</LocationConstraint>'
            "</CreateBucketConfiguration>").encode()
        self._call("PUT", bucket, body)
        return True

    def keys(self, bucket: str, prefix: str, page: int = 1000) -> dict[str, int]:
        """Every key under `prefix` with its size (ListObjectsV2, `page` keys a call)."""
        found: dict[str, int] = {}
        token = ""
        while True:
            query = {"list-type": "2", "prefix": prefix, "max-keys": str(page),
                     **({"continuation-token": token} if token else {})}
            root = ET.fromstring(self._call("GET", bucket, query=query))
            for item in root.iter(f"{S3_NS}Contents"):
                found[item.findtext(f"{S3_NS}Key", "")] = int(item.findtext(f"{S3_NS}Size", "0"))
            token = root.findtext(f"{S3_NS}NextContinuationToken", "")
            if root.findtext(f"{S3_NS}IsTruncated", "false") != "true" or not token:
                return found

    def get(self, bucket: str, key: str) -> bytes:
        return self._call("GET", f"{bucket}/{key}")

    def put(self, bucket: str, key: str, data: bytes) -> None:
        self._call("PUT", f"{bucket}/{key}", data)


def local_url(project: Project) -> str | None:
    """The real node's object store, while the node runs (the store is one of its add-ons)."""
    node = NodeSettings(ClusterSettings.from_env(project))
    return object_storage.base_url(node) if node_lifecycle.status(node).running else None


def credentials(api: client.ApiClient, namespace: str, where: Destination) -> Credentials | None:
    """The key pair of the CronJob's Secret; None when there is no such Secret yet."""
    try:
        secret = client.CoreV1Api(api).read_namespaced_secret(where.secret, namespace)
    except ApiException as err:
        if err.status == 404:
            return None
        raise HarnessError(f"Secret {namespace}/{where.secret}: {err.status} {err.reason}") from None
    data = secret.data or {}
    if where.key_id_key not in data or where.secret_key_key not in data:
        raise HarnessError(f"Secret {namespace}/{where.secret}: no key {where.key_id_key} or {where.secret_key_key}")
    return Credentials(base64.b64decode(data[where.key_id_key]).decode(),
                       base64.b64decode(data[where.secret_key_key]).decode(), where.region)


def ensure_local(api: client.ApiClient, namespace: str, base_url: str, cronjob: Obj) -> list[str]:
    """The key-pair Secret and the bucket the CronJob's upload container names; what was ensured."""
    where = destination(cronjob)
    made = []
    pair = credentials(api, namespace, where)
    if pair is None:
        # moto checks no signature, so any pair works; a random one keeps the Secret a real secret
        pair = Credentials("AKIA" + secrets.token_hex(8).upper(), secrets.token_urlsafe(30), where.region)
        client.CoreV1Api(api).create_namespaced_secret(namespace, {
            "metadata": {"name": where.secret, "labels": {"app.kubernetes.io/managed-by": "acme-harness"}},
            "type": "Opaque", "data": {where.key_id_key: base64.b64encode(pair.key_id.encode()).decode(),
                                       where.secret_key_key: base64.b64encode(pair.secret_key.encode()).decode()}})
        made.append(f"Secret {where.secret}")
    created = ObjectStore(base_url, pair).ensure_bucket(where.bucket)
    return [f"bucket {where.bucket}" + (" (created)" if created else ""), *made]


def prepare_local(api: client.ApiClient, namespace: str, project: Project) -> str:
    """After a local release: the bucket and Secret the dump CronJob needs in the node's store."""
    base_url = local_url(project)
    if base_url is None:
        return "none needed: no real node, so no object store (the backup Jobs cannot run)"
    batch = client.BatchV1Api(api)
    try:
        source = read("backup store", lambda: batch.read_namespaced_cron_job(DUMP_CRONJOB, namespace,
                                                                            _preload_content=False),
                      f"CronJob {namespace}/{DUMP_CRONJOB}", missing="absent")
    except HarnessError as err:
        if str(err).endswith(": absent"):
            return f"none needed: no CronJob {namespace}/{DUMP_CRONJOB} (backup.pgDump is off)"
        raise
    return "ready: " + ", ".join(ensure_local(api, namespace, base_url, source))
