{{/*
Tracks: the Deployments a rollout strategy runs, each with its own Service, HPA, PDB and
NetworkPolicy. The first (primary) track keeps the names and selector labels a `rolling` release
has, so switching strategy never touches the serving Deployment's immutable selector. A second
track (canary, or the green colour) carries `app.kubernetes.io/instance: <release>-<track>`, so
no selector of the primary track can match its pods, and `acme.com/track` for people reading it.
Per-track templates call the helpers below with a context built as `merge (dict "Track" $t) $`.
*/}}

{{/* The tracks as a YAML list: name, suffix, primary, tag, digest, replicas, min/maxReplicas, weight (canary), role (blueGreen). */}}
{{- define "acme-lib.tracks" -}}
{{- $v := .Values }}
{{- $r := $v.rollout }}
{{- $hpa := $v.autoscaling }}
{{- $primary := dict "name" "stable" "suffix" "" "primary" true "tag" (include "acme-lib.imageTag" .) "digest" $v.image.digest "replicas" (int $v.replicaCount) "minReplicas" (int $hpa.minReplicas) "maxReplicas" (int $hpa.maxReplicas) }}
{{- if eq $r.strategy "canary" }}
{{- $c := $r.canary }}
{{- $weight := int $c.weight }}
{{- /* The canary's ceiling comes out of the stable track's, so the total never passes autoscaling.maxReplicas. */}}
{{- $_ := set $primary "maxReplicas" (sub (int $hpa.maxReplicas) (int $c.autoscaling.maxReplicas)) }}
{{- $_ = set $primary "weight" (sub 100 $weight) }}
{{- $canary := dict "name" "canary" "suffix" "-canary" "primary" false "replicas" (int $c.replicaCount) "minReplicas" (int $c.autoscaling.minReplicas) "maxReplicas" (int $c.autoscaling.maxReplicas) "weight" $weight }}
{{- $_ = merge $canary (include "acme-lib.trackImage" (dict "image" $c.image "primary" $primary) | fromYaml) }}
{{- toYaml (list $primary $canary) }}
{{- else if eq $r.strategy "blueGreen" }}
{{- $bg := $r.blueGreen }}
{{- /* Either colour must carry all traffic the moment the switch moves, so each gets the full bounds. */}}
{{- $_ := set $primary "name" "blue" }}
{{- $_ = set $primary "role" (ternary "active" "idle" (eq $bg.active "blue")) }}
{{- $green := dict "name" "green" "suffix" "-green" "primary" false "replicas" (int $v.replicaCount) "minReplicas" (int $hpa.minReplicas) "maxReplicas" (int $hpa.maxReplicas) "role" (ternary "active" "idle" (eq $bg.active "green")) }}
{{- $_ = merge $green (include "acme-lib.trackImage" (dict "image" $bg.green.image "primary" $primary) | fromYaml) }}
{{- toYaml (list $primary $green) }}
{{- else }}
{{- toYaml (list $primary) }}
{{- end }}
{{- end }}

{{/* A second track's tag and digest: its own tag (with its own digest), else exactly the primary's image. */}}
{{- define "acme-lib.trackImage" -}}
{{- if .image.tag }}
tag: {{ .image.tag | toString | quote }}
digest: {{ .image.digest | quote }}
{{- else }}
tag: {{ .primary.tag | quote }}
digest: {{ .image.digest | default .primary.digest | quote }}
{{- end }}
{{- end }}

{{/* The track that has (or, by role, does not have) the public route: "active" or "idle". */}}
{{- define "acme-lib.trackByRole" -}}
{{- $root := .root }}
{{- range include "acme-lib.tracks" $root | fromYamlArray }}
{{- if eq (.role | default "active") $.role }}
{{- toYaml . }}
{{- end }}
{{- end }}
{{- end }}

{{/* Object name of a track: the full name, plus the track's suffix ("-canary", "-green") within 63 characters. */}}
{{- define "acme-lib.trackName" -}}
{{- $suffix := .Track.suffix }}
{{- printf "%s%s" (include "acme-lib.fullname" . | trunc (int (sub 63 (len $suffix))) | trimSuffix "-") $suffix }}
{{- end }}

{{/* Selector labels of a track: the primary's are the chart's selector labels unchanged (a Deployment selector is immutable). */}}
{{- define "acme-lib.trackSelectorLabels" -}}
{{- if .Track.primary }}
{{- include "acme-lib.selectorLabels" . }}
{{- else }}
app.kubernetes.io/name: {{ include "acme-lib.name" . }}
app.kubernetes.io/instance: {{ printf "%s%s" .Release.Name .Track.suffix | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/component: {{ include "acme-lib.component" . }}
acme.com/track: {{ .Track.name }}
{{- end }}
{{- end }}

{{/* Full label set of a track's objects and pods; the version is the track's own image tag. */}}
{{- define "acme-lib.trackLabels" -}}
helm.sh/chart: {{ include "acme-lib.chart" . }}
{{ include "acme-lib.trackSelectorLabels" . }}
app.kubernetes.io/version: {{ .Track.tag | replace "+" "_" | trunc 63 | trimSuffix "-" | quote }}
app.kubernetes.io/part-of: acme
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* Image reference of a track; a digest pins the bytes, the tag stays for humans. */}}
{{- define "acme-lib.image" -}}
{{- include "acme-lib.imageRef" (dict "repository" .Values.image.repository "tag" .Track.tag "digest" .Track.digest) }}
{{- end }}

{{/* Service of a track: ClusterIP only (the edge controller is the one way in); "ports" is the chart's port list. */}}
{{- define "acme-lib.trackService" -}}
apiVersion: v1
kind: Service
metadata:
  name: {{ include "acme-lib.trackName" . }}
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "acme-lib.trackLabels" . | nindent 4 }}
spec:
  type: ClusterIP
  selector:
    {{- include "acme-lib.trackSelectorLabels" . | nindent 4 }}
  ports:
    - name: http
      port: {{ .Values.service.port }}
      targetPort: http
      protocol: TCP
    {{- with index .Values.ports "metrics" }}
    - name: metrics
      port: {{ . }}
      targetPort: metrics
      protocol: TCP
    {{- end }}
{{- end }}

{{/* Public route backends: every track with its weight under canary, the active colour under blueGreen, else the one Service. */}}
{{- define "acme-lib.publicBackends" -}}
{{- $root := . }}
{{- $strategy := .Values.rollout.strategy }}
{{- range include "acme-lib.tracks" . | fromYamlArray }}
{{- $ctx := merge (dict "Track" .) $root }}
{{- if eq $strategy "canary" }}
- name: {{ include "acme-lib.trackName" $ctx }}
  weight: {{ .weight }}
{{- else if eq (.role | default "active") "active" }}
- name: {{ include "acme-lib.trackName" $ctx }}
{{- end }}
{{- end }}
{{- end }}

{{/* Name of the Service behind the blueGreen preview hosts: the idle colour's. */}}
{{- define "acme-lib.previewService" -}}
{{- $idle := include "acme-lib.trackByRole" (dict "root" . "role" "idle") | fromYaml }}
{{- include "acme-lib.trackName" (merge (dict "Track" $idle) .) }}
{{- end }}

{{/* Renders the named template ("template") once per track of "root", the track in the context, as YAML documents. */}}
{{- define "acme-lib.perTrack" -}}
{{- $root := .root }}
{{- $name := .template }}
{{- $docs := list }}
{{- range include "acme-lib.tracks" $root | fromYamlArray }}
{{- $out := include $name (merge (dict "Track" .) $root) | trim }}
{{- if $out }}
{{- $docs = append $docs $out }}
{{- end }}
{{- end }}
{{- join "\n---\n" $docs }}
{{- end }}
