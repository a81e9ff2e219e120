"""Importing this package registers every smoke check."""

from . import (  # noqa: F401
    certificate, deployment, exposure, hpa, http, networkpolicy, observability, pdb, pod, release, service,
)
