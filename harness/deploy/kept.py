"""What an upgrade must keep of a running environment's data: every row the API served before,
byte for byte; the database's claim on the same volume; the generated password; the Services'
identities (a re-created Service gets a new cluster address). `read` takes one look, `lost`
names each thing that did not survive between two looks."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Sequence

from kubernetes import client

DATABASE_CLAIM = "data-acme-db-0"
CREDENTIALS = "acme-db-credentials"


@dataclass(frozen=True)
class Rows:
    """The rows `GET /v1/items` answered, keyed by id, each as its canonical JSON."""
    by_id: dict[int, str]

    @classmethod
    def of(cls, items: Sequence[dict]) -> "Rows":
        return cls({int(item["id"]): json.dumps(item, sort_keys=True, separators=(",", ":")) for item in items})

    def digest(self) -> str:
        """sha256 over every row in id order: equal digests, equal content."""
        return hashlib.sha256("\n".join(self.by_id[i] for i in sorted(self.by_id)).encode()).hexdigest()


@dataclass(frozen=True)
class State:
    rows: Rows
    claim_uid: str
    volume: str  # the PersistentVolume the database's claim is bound to
    credentials: str  # sha256 of the Secret's data, never the data
    services: dict[str, str]  # name -> uid


def read(api: client.ApiClient, namespace: str, items: Sequence[dict]) -> State:
    core = client.CoreV1Api(api)
    claim = core.read_namespaced_persistent_volume_claim(DATABASE_CLAIM, namespace)
    secret = core.read_namespaced_secret(CREDENTIALS, namespace)
    data = json.dumps(secret.data or {}, sort_keys=True).encode()
    services = {s.metadata.name: s.metadata.uid for s in core.list_namespaced_service(namespace).items}
    return State(Rows.of(items), claim.metadata.uid, claim.spec.volume_name or "", hashlib.sha256(data).hexdigest(),
                 services)


def _ids(ids: Sequence[int]) -> str:
    shown = ", ".join(str(i) for i in ids[:10])
    return f"{shown}, … ({len(ids)} in all)" if len(ids) > 10 else shown


def lost(before: State, after: State) -> list[str]:
    """One sentence per thing of `before` that `after` no longer has; empty when all survived.
    Rows written after `before` are no loss."""
    problems = []
    gone = sorted(set(before.rows.by_id) - set(after.rows.by_id))
    if gone:
        problems.append(f"{len(gone)} of {len(before.rows.by_id)} rows written before the upgrade are gone "
                        f"(ids {_ids(gone)})")
    changed = sorted(i for i, row in before.rows.by_id.items() if after.rows.by_id.get(i, row) != row)
    if changed:
        problems.append(f"{len(changed)} rows written before the upgrade changed (ids {_ids(changed)})")
    if before.claim_uid != after.claim_uid or before.volume != after.volume:
        problems.append(f"PersistentVolumeClaim {DATABASE_CLAIM} is not the one before the upgrade: uid "
                        f"{before.claim_uid} -> {after.claim_uid}, volume {before.volume or 'none'} -> "
                        f"{after.volume or 'none'}")
    if before.credentials != after.credentials:
        problems.append(f"Secret {CREDENTIALS} changed: the generated password did not survive the upgrade")
    for name, uid in sorted(before.services.items()):
        now = after.services.get(name)
        if now is None:
            problems.append(f"Service {name} was removed")
        elif now != uid:
            problems.append(f"Service {name} was re-created (uid {uid} -> {now})")
    return problems
