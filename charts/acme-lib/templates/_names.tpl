{{/* Chart name, overridable; 63 characters is the DNS label limit. */}}
{{- define "acme-lib.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Object name: the release name when it already contains the chart name, so release acme-api renders acme-api (contract.md). */}}
{{- define "acme-lib.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := include "acme-lib.name" . }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* Chart label value: name-version with "+" made label-safe. */}}
{{- define "acme-lib.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Component from the chart name (acme-api -> api), so it can never drift from the contract. */}}
{{- define "acme-lib.component" -}}
{{- trimPrefix "acme-" .Chart.Name }}
{{- end }}

{{/* Image tag actually deployed: values override, else the chart's appVersion. */}}
{{- define "acme-lib.imageTag" -}}
{{- .Values.image.tag | default .Chart.AppVersion | toString }}
{{- end }}

{{/* Selector labels: only name, instance and component, so upgrades never change a selector. */}}
{{- define "acme-lib.selectorLabels" -}}
app.kubernetes.io/name: {{ include "acme-lib.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: {{ include "acme-lib.component" . }}
{{- end }}

{{/* Full label set for every object (contract.md). */}}
{{- define "acme-lib.labels" -}}
helm.sh/chart: {{ include "acme-lib.chart" . }}
{{ include "acme-lib.selectorLabels" . }}
app.kubernetes.io/version: {{ include "acme-lib.imageTag" . | replace "+" "_" | trunc 63 | trimSuffix "-" | quote }}
app.kubernetes.io/part-of: acme
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* ServiceAccount name: the chart's own unless another is named. */}}
{{- define "acme-lib.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "acme-lib.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* TLS Secret name: explicit, else <fullname>-tls (acme-api-tls in the contract). */}}
{{- define "acme-lib.tlsSecretName" -}}
{{- default (printf "%s-tls" (include "acme-lib.fullname" .)) .Values.tls.secretName }}
{{- end }}
