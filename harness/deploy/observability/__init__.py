"""The observability backends of an environment without their operators: Prometheus configured from
the charts' own ServiceMonitors, PodMonitors and PrometheusRules."""
