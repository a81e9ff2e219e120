{{/* acme-platform.validateValues: cross-subchart checks, collected and failed once. */}}
{{- define "acme-platform.validateValues" -}}
{{- $errors := list -}}
{{- $deny := and .Values.baseline.enabled .Values.baseline.networkPolicy.defaultDeny -}}
{{- if and $deny .Values.database.enabled (not .Values.database.networkPolicy.enabled) -}}
  {{- $errors = append $errors "database.networkPolicy.enabled: the baseline denies all traffic; without these policies the API cannot reach PostgreSQL" -}}
{{- end -}}
{{- if and $deny (index .Values "metrics-collector" "enabled") (not (index .Values "metrics-collector" "networkPolicy" "enabled")) -}}
  {{- $errors = append $errors "metrics-collector.networkPolicy.enabled: the baseline denies all traffic; without these policies nothing reaches the collector" -}}
{{- end -}}
{{- if $errors -}}
  {{- fail (printf "\n%s" (join "\n" $errors)) -}}
{{- end -}}
{{- end }}
