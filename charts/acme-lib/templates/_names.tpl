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

{{/* Image reference of an image block (repository, tag, digest); a digest pins the bytes, the tag stays for humans. */}}
{{- define "acme-lib.imageRef" -}}
{{- if .digest }}
{{- printf "%s:%s@%s" .repository .tag .digest }}
{{- else }}
{{- printf "%s:%s" .repository .tag }}
{{- end }}
{{- end }}

{{/* Selector labels: only name, instance and component, so upgrades never change a selector. */}}
{{- define "acme-lib.selectorLabels" -}}
{{- include "acme-lib.selectorLabelsFor" (dict "ctx" .) }}
{{- end }}

{{/* Selector labels of one workload of a chart that runs several or names its component itself: (dict "ctx" $ ["name" …] ["component" …]), defaults acme-lib.name and acme-lib.component. */}}
{{- define "acme-lib.selectorLabelsFor" -}}
app.kubernetes.io/name: {{ .name | default (include "acme-lib.name" .ctx) }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/component: {{ .component | default (include "acme-lib.component" .ctx) }}
{{- end }}

{{/* Full label set for every object (contract.md); the version is the deployed image tag. */}}
{{- define "acme-lib.labels" -}}
{{- include "acme-lib.labelsFor" (dict "ctx" . "version" (include "acme-lib.imageTag" .)) }}
{{- end }}

{{/* Full label set from (dict "ctx" $ ["name" …] ["component" …] ["version" …]): selector labels as acme-lib.selectorLabelsFor; version defaults to appVersion, for charts without one image of their own. */}}
{{- define "acme-lib.labelsFor" -}}
helm.sh/chart: {{ include "acme-lib.chart" .ctx }}
{{ include "acme-lib.selectorLabelsFor" . }}
app.kubernetes.io/version: {{ .version | default .ctx.Chart.AppVersion | toString | replace "+" "_" | trunc 63 | trimSuffix "-" | quote }}
app.kubernetes.io/part-of: acme
app.kubernetes.io/managed-by: {{ .ctx.Release.Service }}
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
