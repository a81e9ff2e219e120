"""Importing this package registers every smoke check."""

from . import disruption, exposure, http, policies, releases, services, tls, workloads  # noqa: F401
