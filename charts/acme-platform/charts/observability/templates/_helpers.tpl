{{/* observability.chart: chart name and version for the helm.sh/chart label. */}}
{{- define "observability.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* observability.labels: the contract label set; these objects belong to no workload component. */}}
{{- define "observability.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: observability
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/part-of: acme
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ include "observability.chart" . }}
{{- end }}

{{/* observability.operatorLabels: the labels above plus those Prometheus selects monitors and rules by. */}}
{{- define "observability.operatorLabels" -}}
{{ include "observability.labels" . }}
{{- with .Values.prometheusLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* observability.renderOperatorObjects: "true" when ServiceMonitors and PrometheusRules should render. */}}
{{- define "observability.renderOperatorObjects" -}}
{{- $mode := .Values.prometheusOperator -}}
{{- if or (eq $mode "always") (and (eq $mode "auto") (.Capabilities.APIVersions.Has "monitoring.coreos.com/v1")) -}}
true
{{- end -}}
{{- end }}

{{/* observability.validateValues: collect every configuration error and fail once. */}}
{{- define "observability.validateValues" -}}
{{- $errors := list -}}
{{- if and .Values.serviceMonitors.interval .Values.serviceMonitors.scrapeTimeout -}}
  {{- if gt (int64 (include "observability.seconds" .Values.serviceMonitors.scrapeTimeout)) (int64 (include "observability.seconds" .Values.serviceMonitors.interval)) -}}
    {{- $errors = append $errors "observability.serviceMonitors.scrapeTimeout: must not exceed the interval (Prometheus rejects the scrape config)" -}}
  {{- end -}}
{{- end -}}
{{- if $errors -}}
  {{- fail (printf "\n%s" (join "\n" $errors)) -}}
{{- end -}}
{{- end }}

{{/* observability.seconds: a Prometheus duration like 30s, 2m or 500ms in whole seconds. */}}
{{- define "observability.seconds" -}}
{{- $n := regexFind "^[0-9]+" . | int64 -}}
{{- $unit := regexFind "[a-z]+$" . -}}
{{- if eq $unit "h" }}{{ mul $n 3600 }}{{ else if eq $unit "m" }}{{ mul $n 60 }}{{ else if eq $unit "ms" }}{{ div $n 1000 }}{{ else }}{{ $n }}{{ end -}}
{{- end }}
