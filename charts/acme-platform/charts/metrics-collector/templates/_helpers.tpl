{{/* metrics-collector.serviceName: the contract name of the collector Service (docs/contract.md). */}}
{{- define "metrics-collector.serviceName" -}}
acme-metrics
{{- end }}

{{/* metrics-collector.headlessServiceName: the port-less headless Service that governs the StatefulSet. */}}
{{- define "metrics-collector.headlessServiceName" -}}
{{ include "metrics-collector.serviceName" . }}-headless
{{- end }}

{{/* metrics-collector.chart: chart name and version for the helm.sh/chart label. */}}
{{- define "metrics-collector.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* metrics-collector.selectorLabels: the stable subset used in selectors. */}}
{{- define "metrics-collector.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: metrics
{{- end }}

{{/* metrics-collector.labels: the full contract label set for every object. */}}
{{- define "metrics-collector.labels" -}}
{{ include "metrics-collector.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | quote }}
app.kubernetes.io/part-of: acme
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ include "metrics-collector.chart" . }}
{{- end }}

{{/* metrics-collector.image: repository:tag, plus @digest when pinned. */}}
{{- define "metrics-collector.image" -}}
{{- printf "%s:%s" .Values.image.repository .Values.image.tag }}{{ with .Values.image.digest }}@{{ . }}{{ end }}
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
{{- if $errors -}}
  {{- fail (printf "\n%s" (join "\n" $errors)) -}}
{{- end -}}
{{- end }}
