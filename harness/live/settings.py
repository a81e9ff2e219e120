"""What a smoke run expects, with the reason for each default."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..core.project import RELEASES

# Right after an apply pods are still starting (kwok: 1-3 s plus minReadySeconds; real
# clusters: image pulls): smoke failures are retried this long before they count.
SETTLE_SECONDS = 120.0


@dataclass(frozen=True)
class SmokeSettings:
    env: str = "local"
    namespace: str = "acme"
    releases: tuple[str, ...] = RELEASES
    # release -> revision the caller just deployed (e.g. after an upgrade); others only need `deployed`.
    expected_revisions: dict[str, int] = field(default_factory=dict)
    # cert-manager renews 30 days before expiry; under 14 days left means renewal is failing.
    cert_min_days: int = 14
    # A pod still Pending after this long is unschedulable or stuck, not just slow.
    pending_deadline_seconds: int = 120
    # kubelet's back-off reaches minutes after ~3 restarts; by then it is a crash loop.
    max_restarts: int = 3
    # Components that must never be reachable from outside the cluster.
    internal_components: tuple[str, ...] = ("database", "metrics")
    # Whether containers actually run (false on the kwok cluster): HTTP checks need it.
    data_plane: bool = False
    http: "HttpSettings" = field(default_factory=lambda: HttpSettings())
    observability: "ObservabilitySettings" = field(default_factory=lambda: ObservabilitySettings())


@dataclass(frozen=True)
class HttpSettings:
    # host -> address to connect to instead of DNS (like curl --resolve), for pre-DNS checks.
    resolve: dict[str, str] = field(default_factory=dict)
    # every other host's address (like curl --connect-to ::ADDRESS): the one edge all hosts share.
    connect_to: str | None = None
    https_port: int = 443
    http_port: int = 80
    ca_file: str | None = None  # None: the system trust store
    # Used only when no Ingress/HTTPRoute of the component is deployed (docs/contract.md hosts).
    ui_host: str = "www.acme.com"
    api_host: str = "api.acme.com"
    api_health_path: str = "/healthz/ready"
    # Browsers pin HTTPS for at least half a year before HSTS is worth having (preload wants 1 y).
    min_hsts_seconds: int = 15552000
    # Fingerprinted assets must be cacheable for at least a day to spare the origin.
    min_asset_max_age: int = 86400
    timeout: float = 5.0


@dataclass(frozen=True)
class ObservabilitySettings:
    # Prometheus' HTTP API (http://host:port) where the environment has one the harness reaches;
    # None: the observability checks skip, saying so.
    prometheus_url: str | None = None
    # A directory the environment's Prometheus reads rule files from, and the host:port the
    # Alertmanager's webhook receiver posts to (the check listens there while it runs); without
    # both, alert-delivered skips.
    synthetic_rules_dir: str | None = None
    receiver_address: str | None = None
    # Rules evaluated every second and no group wait deliver in about two seconds: 30 s is broken.
    alert_deadline_seconds: float = 30.0
    # The log store's HTTP API (VictoriaLogs' LogsQL) and its shipper's (vlagent's /health); without
    # the store, logs-shipped skips. The shipper reads the pod's log file every second and sends a
    # batch every second, so a line is queryable in about two: 30 s is broken, not slow.
    logs_url: str | None = None
    log_shipper_url: str | None = None
    log_deadline_seconds: float = 30.0
