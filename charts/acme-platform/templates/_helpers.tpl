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
{{- if and .Values.backup.enabled .Values.backup.velero.enabled .Values.backup.velero.databaseHook.enabled -}}
  {{- if not (and .Values.database.enabled (eq .Values.database.mode "inCluster")) -}}
    {{- $errors = append $errors "backup.velero.databaseHook.enabled: the pre-backup hook runs pg_dump inside the in-cluster database pod; with an external database use backup.pgDump instead" -}}
  {{- end -}}
{{- end -}}
{{- if and .Values.backup.enabled .Values.backup.pgDump.enabled .Values.database.enabled (eq .Values.database.mode "inCluster") -}}
  {{- if semverCompare (printf "<%s" (regexFind "^[0-9]+" .Values.database.inCluster.image.tag)) (regexFind "^[0-9]+" .Values.backup.pgDump.image.tag) -}}
    {{- $errors = append $errors "backup.pgDump.image.tag: pg_dump must be at least the server's major version (database.inCluster.image.tag)" -}}
  {{- end -}}
{{- end -}}
{{- $b := .Values.backup -}}
{{- if and $b.enabled $b.pgDump.enabled $b.networkPolicy.enabled .Values.database.enabled -}}
  {{- /* The dump pods' egress policy lives in the backup chart; it must point where the database is. */ -}}
  {{- if eq .Values.database.mode "external" -}}
    {{- $ext := .Values.database.external -}}
    {{- if ne (sortAlpha $b.database.cidrs | toJson) (sortAlpha $ext.cidrs | toJson) -}}
      {{- $errors = append $errors (printf "backup.database.cidrs: set it to database.external.cidrs (%s) so the dump pods may reach the external server" (join ", " $ext.cidrs)) -}}
    {{- end -}}
    {{- if ne (int $b.database.targetPort) (int $ext.port) -}}
      {{- $errors = append $errors (printf "backup.database.targetPort: set it to database.external.port (%d), the port the external server listens on" (int $ext.port)) -}}
    {{- end -}}
  {{- else -}}
    {{- if $b.database.cidrs -}}
      {{- $errors = append $errors "backup.database.cidrs: leave it empty with the in-cluster database; the egress policy then selects the database pods" -}}
    {{- end -}}
    {{- if ne (int $b.database.targetPort) 5432 -}}
      {{- $errors = append $errors "backup.database.targetPort: the in-cluster database listens on 5432" -}}
    {{- end -}}
  {{- end -}}
{{- end -}}
{{- include "acme-lib.failOnErrors" (dict "chart" .Chart.Name "messages" $errors) -}}
{{- end }}
