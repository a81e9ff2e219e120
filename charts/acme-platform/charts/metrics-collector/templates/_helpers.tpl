{{/* metrics-collector.serviceName: the contract name of the collector Service (docs/contract.md). */}}
{{- define "metrics-collector.serviceName" -}}
acme-metrics
{{- end }}

{{/* metrics-collector.headlessServiceName: the port-less headless Service that governs the StatefulSet. */}}
{{- define "metrics-collector.headlessServiceName" -}}
{{ include "metrics-collector.serviceName" . }}-headless
{{- end }}

{{/* metrics-collector.selectorLabels: acme-lib's, with the contract's component "metrics" (not the chart name), which selectors already installed use. */}}
{{- define "metrics-collector.selectorLabels" -}}
{{- include "acme-lib.selectorLabelsFor" (dict "ctx" . "component" "metrics") }}
{{- end }}

{{/* metrics-collector.labels: acme-lib's full set, component "metrics", version the deployed image tag. */}}
{{- define "metrics-collector.labels" -}}
{{- include "acme-lib.labelsFor" (dict "ctx" . "component" "metrics" "version" (include "acme-lib.imageTag" .)) }}
{{- end }}

{{/* metrics-collector.dataDir: where the claimed volume is mounted in the collector container. */}}
{{- define "metrics-collector.dataDir" -}}
/data
{{- end }}

{{/* metrics-collector.persistenceFile: Pushgateway's state file, on the claimed volume. */}}
{{- define "metrics-collector.persistenceFile" -}}
{{ include "metrics-collector.dataDir" . }}/pushgateway.state
{{- end }}

{{/* metrics-collector.validateValues: collect every configuration error and fail once. */}}
{{- define "metrics-collector.validateValues" -}}
{{- $errors := list -}}
{{- if and .Values.networkPolicy.enabled (empty .Values.networkPolicy.monitoringNamespace) -}}
  {{- $errors = append $errors "metrics-collector.networkPolicy.monitoringNamespace: required so Prometheus can scrape the collector" -}}
{{- end -}}
{{- /* The schema refuses this first; this sentence is for renders with --skip-schema-validation. */ -}}
{{- if gt (int .Values.replicas) 1 -}}
  {{- $errors = append $errors (printf "metrics-collector.replicas: %d, but the collector runs exactly 1: Pushgateway keeps each pushed group in the replica that received it, so a second replica serves a stale copy of every group re-pushed to the other; availability comes from the persisted state and a fast restart" (int .Values.replicas)) -}}
{{- end -}}
{{- include "acme-lib.failOnErrors" (dict "chart" .Chart.Name "messages" $errors) -}}
{{- end }}
