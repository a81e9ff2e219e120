{{/* Pod securityContext for Pod Security "restricted"; only the ids are values, the rest is not negotiable. */}}
{{- define "acme-lib.podSecurityContext" -}}
{{- $ids := .Values.securityContext }}
{{- include "acme-lib.podSecurityContextFor" (dict "user" $ids.runAsUser "group" $ids.runAsGroup "fsGroup" $ids.fsGroup) }}
{{- end }}

{{/* The same from explicit ids, (dict "user" … "group" … "fsGroup" …), for charts whose ids live elsewhere in their values. */}}
{{- define "acme-lib.podSecurityContextFor" -}}
runAsNonRoot: true
runAsUser: {{ .user }}
runAsGroup: {{ .group }}
fsGroup: {{ .fsGroup }}
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{/* Container securityContext for Pod Security "restricted". */}}
{{- define "acme-lib.containerSecurityContext" -}}
runAsNonRoot: true
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop: [ALL]
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{/* startup, readiness and liveness probes on the named http port; each map's extra keys are probe timings. */}}
{{- define "acme-lib.probes" -}}
{{- range $kind := list "startup" "readiness" "liveness" }}
{{- $probe := get $.Values.probes $kind }}
{{ $kind }}Probe:
  httpGet:
    path: {{ $probe.path }}
    port: http
  {{- toYaml (omit $probe "path") | nindent 2 }}
{{- end }}
{{- end }}

{{/* True (non-empty) when the cluster has the native preStop sleep action (GA in Kubernetes 1.30). */}}
{{- define "acme-lib.hasSleepAction" -}}
{{- if semverCompare ">=1.30.0-0" .Capabilities.KubeVersion.Version }}true{{ end }}
{{- end }}

{{/* preStop delay: lets endpoints and the edge drop the pod before SIGTERM; native sleep needs no shell in the image. */}}
{{- define "acme-lib.lifecycle" -}}
{{- include "acme-lib.lifecycleFor" (dict "ctx" . "seconds" .Values.shutdown.preStopSleepSeconds) }}
{{- end }}

{{/* The same for (dict "ctx" $ "seconds" N), for charts whose delay lives elsewhere in their values. */}}
{{- define "acme-lib.lifecycleFor" -}}
preStop:
{{- if include "acme-lib.hasSleepAction" .ctx }}
  sleep:
    seconds: {{ .seconds }}
{{- else }}
  exec:
    command: ["sleep", {{ .seconds | toString | quote }}]
{{- end }}
{{- end }}

{{/* Deployment strategy from values: surge 2 / unavailable 1 by default, or 0 unavailable. A canary runs a pod or two, so it is replaced by surging one pod and never by taking one down. */}}
{{- define "acme-lib.strategy" -}}
type: RollingUpdate
rollingUpdate:
  {{- if eq .Track.name "canary" }}
  maxSurge: 1
  maxUnavailable: 0
  {{- else }}
  maxSurge: {{ .Values.strategy.maxSurge }}
  maxUnavailable: {{ .Values.strategy.maxUnavailable }}
  {{- end }}
{{- end }}

{{/* Spread over zones and hosts; pod-template-hash keeps the spread per revision during a rollout. */}}
{{- define "acme-lib.topologySpread" -}}
{{- $spread := .Values.topologySpread }}
{{- range $key, $when := dict "topology.kubernetes.io/zone" $spread.zoneWhenUnsatisfiable "kubernetes.io/hostname" $spread.hostnameWhenUnsatisfiable }}
- maxSkew: {{ $spread.maxSkew }}
  topologyKey: {{ $key }}
  whenUnsatisfiable: {{ $when }}
  labelSelector:
    matchLabels:
      {{- include "acme-lib.trackSelectorLabels" $ | nindent 6 }}
  matchLabelKeys: [pod-template-hash]
{{- end }}
{{- end }}

{{/* Pod-level fields both app charts set the same way. */}}
{{- define "acme-lib.podSpecCommon" -}}
serviceAccountName: {{ include "acme-lib.serviceAccountName" . }}
automountServiceAccountToken: {{ .Values.serviceAccount.automountToken }}
terminationGracePeriodSeconds: {{ .Values.terminationGracePeriodSeconds }}
securityContext:
  {{- include "acme-lib.podSecurityContext" . | nindent 2 }}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.priorityClassName }}
priorityClassName: {{ . }}
{{- end }}
{{- if .Values.topologySpread.enabled }}
topologySpreadConstraints:
  {{- include "acme-lib.topologySpread" . | trim | nindent 2 }}
{{- end }}
{{- with .Values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}
