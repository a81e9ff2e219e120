{{/* database.serviceName: the contract name of the database Service (docs/contract.md). */}}
{{- define "database.serviceName" -}}
acme-db
{{- end }}

{{/* database.headlessServiceName: the headless Service that governs the StatefulSet (per-pod DNS names). */}}
{{- define "database.headlessServiceName" -}}
{{- include "database.serviceName" . }}-headless
{{- end }}

{{/* database.governingServiceName: the StatefulSet's serviceName. It is immutable, so an installed StatefulSet keeps the one it has (0.1.0 used acme-db) and the upgrade succeeds; the CHANGELOG's migration moves it to the headless Service. Takes the root context (only .Release is read). */}}
{{- define "database.governingServiceName" -}}
{{- $live := lookup "apps/v1" "StatefulSet" .Release.Namespace (include "database.serviceName" .) -}}
{{- if and $live $live.spec $live.spec.serviceName -}}
{{- $live.spec.serviceName -}}
{{- else -}}
{{- include "database.headlessServiceName" . -}}
{{- end -}}
{{- end }}

{{/* database.secretName: the Secret the API reads POSTGRES_URL from (rendered or existing). */}}
{{- define "database.secretName" -}}
{{- .Values.auth.existingSecret | default "acme-db-credentials" }}
{{- end }}

{{/* database.password: explicit value, else the one already in the cluster, else a new random one (first install only). */}}
{{- define "database.password" -}}
{{- if .Values.auth.password -}}
{{- .Values.auth.password -}}
{{- else -}}
{{- $existing := lookup "v1" "Secret" .Release.Namespace (include "database.secretName" .) -}}
{{- if and $existing $existing.data (hasKey $existing.data "password") -}}
{{- index $existing.data "password" | b64dec -}}
{{- else -}}
{{- randAlphaNum 32 -}}
{{- end -}}
{{- end -}}
{{- end }}

{{/* database.validateValues: collect every configuration error and fail once. */}}
{{- define "database.validateValues" -}}
{{- $errors := list -}}
{{- if eq .Values.mode "external" -}}
  {{- $ext := .Values.external -}}
  {{- if and (empty $ext.addresses) (empty $ext.host) -}}
    {{- $errors = append $errors "database.external: set addresses (EndpointSlice) or host (ExternalName)" -}}
  {{- end -}}
  {{- if and $ext.addresses $ext.host -}}
    {{- $errors = append $errors "database.external: set addresses or host, not both" -}}
  {{- end -}}
  {{- if and $ext.host (ne (int $ext.port) 5432) -}}
    {{- $errors = append $errors "database.external.port: an ExternalName Service cannot remap ports; host mode needs port 5432" -}}
  {{- end -}}
  {{- if empty $ext.cidrs -}}
    {{- $errors = append $errors "database.external.cidrs: list the database subnet so API egress can be limited to it" -}}
  {{- end -}}
  {{- if and (empty .Values.auth.existingSecret) (empty .Values.auth.password) -}}
    {{- $errors = append $errors "database.auth: external mode needs existingSecret (or password from an environment variable); a generated password would not match the server" -}}
  {{- end -}}
{{- end -}}
{{- if and .Values.auth.existingSecret .Values.auth.password -}}
  {{- $errors = append $errors "database.auth: set existingSecret or password, not both" -}}
{{- end -}}
{{- include "acme-lib.failOnErrors" (dict "chart" .Chart.Name "messages" $errors) -}}
{{- end }}
