"""Importing this package registers every smoke check."""

from . import certificate, deployment, exposure, hpa, http, networkpolicy, pdb, pod, release, service  # noqa: F401
