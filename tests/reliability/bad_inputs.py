"""The bad-input table: every malformed input the suite feeds the charts and the harness.

Each case names the command to run and a regular expression for the field or thing the
error message must name. Placeholders in arguments are filled per test run:
`{unreachable}` a kubeconfig whose server refuses connections, `{garbled}` a kubeconfig
that is not YAML, `{tmp}` the test's scratch directory.
"""

from __future__ import annotations

from dataclasses import dataclass, field

@dataclass(frozen=True)
class Case:
    id: str
    expect: str  # regex over stdout+stderr: the field, file or thing the message must name
    chart: str | None = None  # helm template/lint of charts/<chart> with `values`
    values: str = ""
    helm_verb: str = "template"
    args: tuple[str, ...] = ()  # harness <args>: the command and its arguments
    env: dict[str, str] = field(default_factory=dict)
    edits: dict[str, str] = field(default_factory=dict)  # project-copy files replaced before the run
    bare: bool = False  # run in a project with no cluster, no tools: nothing can be applied


def chart(id: str, chart_name: str, values: str, expect: str, verb: str = "template") -> Case:
    return Case(id, expect, chart=chart_name, values=values, helm_verb=verb)


def cli(id: str, args: tuple[str, ...], expect: str, **extra) -> Case:
    return Case(id, expect, args=args, **extra)


CHART_CASES = [
    # wrong types
    chart("api-replicas-string", "acme-api", "replicaCount: three\n", r"/replicaCount.*want integer"),
    chart("api-probe-period-string", "acme-api", "probes: {readiness: {periodSeconds: fast}}\n",
          r"/probes/readiness/periodSeconds"),
    chart("ui-autoscaling-enabled-string", "acme-ui", "autoscaling: {enabled: 'yes'}\n", r"/autoscaling/enabled"),
    chart("ui-hosts-not-a-list", "acme-ui", "hosts: www.acme.com\n", r"/hosts.*want array"),
    chart("api-config-not-a-map", "acme-api", "config: LOG_LEVEL=info\n", r"/config"),
    # unknown keys, top level and nested, and in the umbrella
    chart("api-unknown-key", "acme-api", "replicas: 3\n", r"additional properties 'replicas'"),
    chart("api-unknown-nested-key", "acme-api", "strategy: {maxSurgee: 1}\n", r"/strategy.*'maxSurgee'"),
    chart("platform-misspelt-subchart", "acme-platform", "databse: {enabled: true}\n", r"'databse' not allowed"),
    # negative / zero replicas
    chart("api-replicas-negative", "acme-api", "autoscaling: {enabled: false}\nreplicaCount: -1\n", r"/replicaCount"),
    chart("api-replicas-zero", "acme-api", "autoscaling: {enabled: false}\nreplicaCount: 0\n", r"/replicaCount"),
    chart("api-hpa-min-zero", "acme-api", "autoscaling: {minReplicas: 0}\n", r"/autoscaling/minReplicas"),
    chart("collector-replicas-zero", "acme-platform", "metrics-collector: {replicas: 0}\n", r"/replicas"),
    # a second Pushgateway replica serves stale copies of re-pushed groups
    chart("collector-replicas-two", "acme-platform", "metrics-collector: {replicas: 2}\n",
          r"/replicas': maximum: got 2, want 1"),
    # rollout that can never progress
    chart("api-surge-and-unavailable-zero", "acme-api", "strategy: {maxSurge: 0, maxUnavailable: 0}\n",
          r"strategy\.maxSurge and strategy\.maxUnavailable are both 0"),
    chart("ui-surge-and-unavailable-zero-percent", "acme-ui", "strategy: {maxSurge: '0%', maxUnavailable: '0%'}\n",
          r"strategy\.maxSurge and strategy\.maxUnavailable are both 0"),
    chart("ui-hpa-min-above-max", "acme-ui", "autoscaling: {minReplicas: 6, maxReplicas: 2}\n",
          r"autoscaling\.minReplicas \(6\) is greater than autoscaling\.maxReplicas \(2\)"),
    chart("api-pdb-blocks-drains", "acme-api", "podDisruptionBudget: {maxUnavailable: 0}\n", r"podDisruptionBudget"),
    chart("api-grace-shorter-than-drain", "acme-api", "terminationGracePeriodSeconds: 10\n",
          r"terminationGracePeriodSeconds \(10\)"),
    # TLS and hostnames
    chart("api-tls-without-hosts", "acme-api", "hosts: []\ningress: {enabled: false}\ntls: {enabled: true}\n",
          r"/hosts|tls\.enabled needs at least one entry in hosts"),
    chart("api-hostname-with-space", "acme-api", "hosts: ['not a host!']\n", r"/hosts/0.*not valid hostname"),
    chart("ui-hostname-leading-hyphen", "acme-ui", "hosts: ['-bad-.acme.com']\n", r"/hosts/0.*hyphen"),
    chart("api-tls-nothing-issues", "acme-api", "tls: {clusterIssuer: '', secretName: ''}\n",
          r"tls\.clusterIssuer and tls\.secretName are both empty"),
    chart("api-ingress-and-gateway", "acme-api", "ingress: {enabled: true}\ngateway: {enabled: true}\n",
          r"ingress\.enabled and gateway\.enabled are mutually exclusive"),
    chart("ui-path-type-unknown", "acme-ui", "ingress: {pathType: Sometimes}\n", r"/ingress/pathType"),
    chart("platform-issuer-email-invalid", "acme-platform", "issuers: {letsencrypt: {email: notanemail}}\n",
          r"/letsencrypt/email"),
    # ports out of range
    chart("api-http-port-above-65535", "acme-api", "ports: {http: 70000}\n", r"/ports/http.*65,?535"),
    chart("api-metrics-port-zero", "acme-api", "ports: {metrics: 0}\n", r"/ports/metrics"),
    chart("ui-service-port-negative", "acme-ui", "service: {port: -5}\n", r"/service/port"),
    chart("platform-db-port-above-65535", "acme-platform",
          "database: {mode: external, external: {port: 99999}}\n", r"/external/port"),
    # secrets: existingSecret without a key, bad names, images
    chart("api-existing-secret-without-key", "acme-api", "database: {existingSecret: my-db, existingSecretKey: ''}\n",
          r"/database/existingSecretKey"),
    chart("api-existing-secret-bad-name", "acme-api", "database: {existingSecret: My_Secret}\n",
          r"/database/existingSecret"),
    chart("backup-s3-secret-without-key", "acme-platform",
          "backup: {enabled: true, objectStorage: {accessKeyIdKey: ''}}\n", r"/objectStorage/accessKeyIdKey"),
    chart("api-image-latest", "acme-api", "image: {tag: latest}\n", r"image\.tag must not be \"latest\""),
    chart("ui-image-digest-not-sha256", "acme-ui", "image: {digest: 'md5:abc'}\n", r"/image/digest"),
    # cron
    chart("backup-cron-words", "acme-platform", "backup: {enabled: true, pgDump: {schedule: every day}}\n",
          r'backup\.pgDump\.schedule: "every day" is not a cron schedule \(2 fields, want 5\); .* such as "17 2 \* \* \*"'),
    chart("backup-cron-minute-61", "acme-platform", "backup: {enabled: true, pgDump: {schedule: '61 * * * *'}}\n",
          r'backup\.pgDump\.schedule: "61 \* \* \* \*" is not a cron schedule \(minute "61" is outside 0-59\)'),
    chart("velero-cron-hour-24", "acme-platform",
          "backup: {enabled: true, pgDump: {enabled: false}, velero: {schedules: {daily: {schedule: '0 24 * * *'}}}}\n",
          r'backup\.velero\.schedules\.daily\.schedule: "0 24 \* \* \*" is not a cron schedule \(hour "24" is outside'),
    # cross-field rules of the platform
    chart("platform-db-mode-unknown", "acme-platform", "database: {mode: cloud}\n", r"/database/mode"),
    chart("platform-db-size-not-quantity", "acme-platform", "database: {inCluster: {persistence: {size: lots}}}\n",
          r"/inCluster/persistence/size"),
    chart("platform-external-db-nowhere", "acme-platform", "database: {mode: external}\n",
          r"database\.external: set addresses"),
    chart("backup-without-bucket", "acme-platform", "backup: {enabled: true}\n", r"backup\.objectStorage\.bucket"),
    chart("api-external-db-without-cidrs", "acme-api", "database: {mode: external}\n", r"database\.externalCIDRs"),
    chart("api-tracing-without-endpoint", "acme-api", "tracing: {enabled: true, otlpEndpoint: ''}\n",
          r"tracing\.otlpEndpoint"),
    # the same rules through `helm lint --strict`, which CI runs on every ci/ scenario
    chart("lint-api-replicas-negative", "acme-api", "autoscaling: {enabled: false}\nreplicaCount: -1\n",
          r"/replicaCount", verb="lint"),
]

CLI_CASES = [
    # harness render/check/lint/flows
    cli("check-chart-path-not-name", ("render", "--chart", "charts/acme-api"), r"unknown chart `charts/acme-api`"),
    cli("check-unknown-env", ("check", "--env", "qa"), r"unknown environment `qa`"),
    cli("check-jobs-negative", ("check", "--chart", "acme-ui", "--jobs", "-3"), r"--jobs: must be a positive"),
    cli("check-jobs-zero", ("render", "--chart", "acme-ui", "--jobs", "0"), r"--jobs: must be a positive"),
    cli("check-missing-kubeconfig", ("check", "--chart", "acme-ui", "--only", "schema", "--kubeconfig",
                                     "{tmp}/no-such-kubeconfig"), r"--kubeconfig: .*no-such-kubeconfig"),
    cli("render-missing-helm", ("render", "--chart", "acme-ui", "--helm", "{tmp}/helm3"), r"--helm: .*helm3"),
    cli("flows-with-chart", ("flows", "--chart", "acme-api"), r"use --env"),
    cli("lint-jobs-not-a-number", ("lint", "--jobs", "x"), r"--jobs"),
    cli("check-malformed-matrix", ("render", "--chart", "acme-api"), r"matrices/acme-api\.yaml",
        edits={"matrices/acme-api.yaml": "chart: acme-api\naxes: {a: [unclosed\n"}),
    cli("check-matrix-unknown-key", ("render", "--chart", "acme-api"), r"unknown key `enviroments`",
        edits={"matrices/acme-api.yaml": "chart: acme-api\nenviroments: [local]\n"}),
    cli("check-env-layer-wrong-type", ("check", "--env", "local", "--only", "render"), r"/replicaCount",
        edits={"values/acme-api/local.yaml": "autoscaling: {enabled: false}\nreplicaCount: many\n"}),
    cli("check-env-layer-not-yaml", ("render", "--env", "local"), r"values/acme-ui/local\.yaml",
        edits={"values/acme-ui/local.yaml": "hosts: [www.acme.com\n"}),
    # `helm lint` ignores a template's `fail` by design (helm/helm#8973), so a ci scenario that
    # breaks a validateValues rule passes lint; the render check is what refuses it.
    cli("check-ci-scenario-hpa-min-above-max", ("check", "--chart", "acme-ui", "--only", "render"),
        r"autoscaling\.minReplicas \(6\)",
        edits={"charts/acme-ui/ci/99-broken-values.yaml": "autoscaling: {minReplicas: 6, maxReplicas: 2}\n"}),
    # release flow (harness release/package/version-check)
    cli("release-unknown-env", ("release", "--env", "qa"), r"unknown environment `qa`", bare=True),
    cli("package-unknown-chart", ("package", "--chart", "nope"), r"unknown chart `nope`"),
    cli("package-push-not-oci", ("package", "--chart", "acme-ui", "--push", "http://registry.invalid/x"),
        r"--push: expected an oci:// reference"),
    cli("version-check-unknown-ref", ("version-check", "--base-ref", "no-such-ref"),
        r"base ref `no-such-ref` not found"),
    # smoke checks
    cli("smoke-unknown-env", ("smoke", "--env", "qa"), r"unknown environment `qa`"),
    cli("smoke-missing-kubeconfig", ("smoke", "--env", "staging", "--kubeconfig", "{tmp}/nope"), r"--kubeconfig: .*nope does not exist"),
    cli("smoke-unreachable-cluster", ("smoke", "--env", "staging", "--kubeconfig", "{unreachable}"),
        r"staging: API server not reachable"),
    cli("smoke-garbled-kubeconfig", ("smoke", "--env", "staging", "--kubeconfig", "{garbled}"), r"kubeconfig"),
    cli("smoke-no-local-cluster", ("smoke", "--env", "local",), r"no local cluster: .*kubeconfig missing", bare=True),
    cli("smoke-revision-not-a-number", ("smoke", "--env", "staging", "--kubeconfig", "{unreachable}",
                                        "--expect-revision", "acme-api=two"), r"--expect-revision"),
    cli("smoke-resolve-without-address", ("smoke", "--env", "staging", "--kubeconfig", "{unreachable}",
                                          "--resolve", "api.acme.com"), r"--resolve"),
    cli("smoke-cert-days-not-a-number", ("smoke", "--cert-min-days", "soon"), r"--cert-min-days"),
    # deploy (demo) and cluster: refused before anything is applied
    cli("demo-unknown-env", ("demo", "--env", "qa"), r"unknown environment `qa`", bare=True),
    cli("demo-staging-unconfirmed", ("demo", "--env", "staging", "--kubeconfig", "{unreachable}"),
        r"refusing to deploy to kube context 'unreachable'", bare=True),
    cli("demo-garbled-kubeconfig", ("demo", "--env", "staging", "--kubeconfig", "{garbled}"), r"kubeconfig .*garbled",
        bare=True),
    cli("demo-staging-unreachable", ("demo", "--env", "staging", "--kubeconfig", "{unreachable}",
                                     "--confirm-context", "unreachable"), r"not reachable", bare=True),
    cli("demo-local-without-tools", ("demo", "--env", "local",), r"binary \S+ missing .*make tools", bare=True),
    cli("cluster-port-not-a-number", ("cluster", "status",), r"ACME_CLUSTER_PORT", env={"ACME_CLUSTER_PORT": "http"},
        bare=True),
    cli("cluster-port-out-of-range", ("cluster", "status",), r"ACME_CLUSTER_PORT", env={"ACME_CLUSTER_PORT": "70000"},
        bare=True),
    cli("cluster-up-without-tools", ("cluster", "up",), r"binary \S+ missing", bare=True),
    cli("cluster-unknown-command", ("cluster", "restart",), r"invalid choice: 'restart'"),
]
