{{/* observability.operatorLabels: the labels above plus those Prometheus selects monitors and rules by. */}}
{{- define "observability.operatorLabels" -}}
{{ include "acme-lib.labelsFor" (dict "ctx" .) }}
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
{{- include "acme-lib.failOnErrors" (dict "chart" .Chart.Name "messages" $errors) -}}
{{- end }}

{{/* observability.seconds: a Prometheus duration like 30s, 2m or 500ms in whole seconds. */}}
{{- define "observability.seconds" -}}
{{- $n := regexFind "^[0-9]+" . | int64 -}}
{{- $unit := regexFind "[a-z]+$" . -}}
{{- if eq $unit "h" }}{{ mul $n 3600 }}{{ else if eq $unit "m" }}{{ mul $n 60 }}{{ else if eq $unit "ms" }}{{ div $n 1000 }}{{ else }}{{ $n }}{{ end -}}
{{- end }}
