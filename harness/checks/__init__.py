"""Check families; importing this package registers every check."""

from . import contracts, isolation, probes, render, rollout, scaling, schema, security, shutdown, tls, upgrade  # noqa: F401
