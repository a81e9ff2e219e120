"""Check families; importing this package registers every check."""

from . import (  # noqa: F401
    backup, collector, contracts, isolation, longterm, monitoring, probes, progressive, promql, render, rollout,
    scaling, schema, security, shutdown, statefulset, storage, tls, upgrade,
)
