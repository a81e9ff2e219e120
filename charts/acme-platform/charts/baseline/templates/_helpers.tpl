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
{{- include "acme-lib.failOnErrors" (dict "chart" .Chart.Name "messages" $errors) -}}
{{- end }}
