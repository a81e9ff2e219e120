{{/* metrics-collector.serviceName: the contract name of the collector Service (docs/contract.md). */}}
{{- define "metrics-collector.serviceName" -}}
acme-metrics
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

{{/* metrics-collector.validateValues: collect every configuration error and fail once. */}}
{{- define "metrics-collector.validateValues" -}}
{{- $errors := list -}}
{{- if and .Values.networkPolicy.enabled (empty .Values.networkPolicy.monitoringNamespace) -}}
  {{- $errors = append $errors "metrics-collector.networkPolicy.monitoringNamespace: required so Prometheus can scrape the collector" -}}
{{- end -}}
{{- if $errors -}}
  {{- fail (printf "\n%s" (join "\n" $errors)) -}}
{{- end -}}
{{- end }}
