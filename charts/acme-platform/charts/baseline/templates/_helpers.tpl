{{/* baseline.chart: chart name and version for the helm.sh/chart label. */}}
{{- define "baseline.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* baseline.labels: the contract label set; the baseline is namespace infrastructure, component "baseline". */}}
{{- define "baseline.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: baseline
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/part-of: acme
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ include "baseline.chart" . }}
{{- end }}

{{/* baseline.validateValues: collect every configuration error and fail once. */}}
{{- define "baseline.validateValues" -}}
{{- $errors := list -}}
{{- if and .Values.networkPolicy.defaultDeny (not .Values.networkPolicy.dns.enabled) -}}
  {{- $errors = append $errors "baseline.networkPolicy: defaultDeny without dns.enabled blocks name resolution for every pod" -}}
{{- end -}}
{{- if and .Values.networkPolicy.dns.enabled (empty .Values.networkPolicy.dns.podLabels) -}}
  {{- $errors = append $errors "baseline.networkPolicy.dns.podLabels: empty labels would allow port 53 to every pod of the DNS namespace" -}}
{{- end -}}
{{- if and .Values.resourceQuota.enabled (empty .Values.resourceQuota.hard) -}}
  {{- $errors = append $errors "baseline.resourceQuota.hard: set at least one limit or disable the quota" -}}
{{- end -}}
{{- if $errors -}}
  {{- fail (printf "\n%s" (join "\n" $errors)) -}}
{{- end -}}
{{- end }}
