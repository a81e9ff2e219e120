{{/* Full name of the API objects (delegates to the shared library). */}}
{{- define "acme-api.fullname" -}}
{{- include "acme-lib.fullname" . }}
{{- end }}

{{/* METRICS_URL: the values override, else the platform's collector Service in this namespace (contract.md). */}}
{{- define "acme-api.metricsUrl" -}}
{{- .Values.metrics.url | default (printf "http://acme-metrics.%s.svc.cluster.local:80" .Release.Namespace) }}
{{- end }}

{{/* Every semantic error in the values, shared and API-specific, reported in one fail. */}}
{{- define "acme-api.validateValues" -}}
{{- $errors := list (include "acme-lib.commonErrors" .) }}
{{- if and .Values.networkPolicy.enabled (eq .Values.database.mode "external") (not .Values.database.externalCIDRs) }}
{{- $errors = append $errors "- database.mode is external but database.externalCIDRs is empty: the egress policy would block the database" }}
{{- end }}
{{- if and .Values.tracing.enabled (not .Values.tracing.otlpEndpoint) }}
{{- $errors = append $errors "- tracing.enabled needs tracing.otlpEndpoint" }}
{{- end }}
{{- include "acme-lib.failOnErrors" (dict "chart" .Chart.Name "errors" (join "\n" $errors)) }}
{{- end }}
