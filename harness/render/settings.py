"""Tunables of the checks, with the reason for each default."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Settings:
    # Time the app needs after SIGTERM to finish in-flight requests; 10 s covers the API's
    # request timeout. terminationGracePeriodSeconds must exceed preStop + this.
    drain_seconds: int = 10
    # Three replicas, one per zone: a zone outage leaves two serving while the third is rescheduled.
    production_min_replicas: int = 3
    # Annotations that make an Ingress controller redirect HTTP to HTTPS, with the value that
    # enables it; None means "the value must mention a redirect" (a Traefik middleware chain).
    redirect_annotations: dict[str, str | None] = field(default_factory=lambda: {
        "nginx.ingress.kubernetes.io/ssl-redirect": "true",
        "nginx.ingress.kubernetes.io/force-ssl-redirect": "true",
        "ingress.kubernetes.io/ssl-redirect": "true",
        "haproxy.org/ssl-redirect": "true",
        "alb.ingress.kubernetes.io/ssl-redirect": None,
        "traefik.ingress.kubernetes.io/router.middlewares": None,
        "traefik.ingress.kubernetes.io/redirect-entry-point": "https",
    })
    # Env var and ConfigMap keys that look like credentials when they carry a literal value.
    credential_words: tuple[str, ...] = ("password", "passwd", "secret", "token", "apikey", "api_key",
                                         "private_key", "credential")
