"""Importing this package registers every smoke check."""

from . import certificate, disruption, exposure, http, policies, releases, services, workloads  # noqa: F401
