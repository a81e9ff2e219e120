{{/* Pods an int-or-percent value stands for out of "total"; percent rounds up like the PDB controller does when "roundUp" is set, down like the rollout otherwise. */}}
{{- define "acme-lib.scaled" -}}
{{- $value := toString .value }}
{{- if hasSuffix "%" $value }}
{{- $percent := trimSuffix "%" $value | atoi }}
{{- if .roundUp }}
{{- div (add (mul $percent .total) 99) 100 }}
{{- else }}
{{- div (mul $percent .total) 100 }}
{{- end }}
{{- else }}
{{- $value | atoi }}
{{- end }}
{{- end }}

{{/* Replicas the Deployment can shrink to: the HPA's minimum, else replicaCount. */}}
{{- define "acme-lib.minReplicas" -}}
{{- if .Values.autoscaling.enabled }}{{ .Values.autoscaling.minReplicas }}{{ else }}{{ .Values.replicaCount }}{{ end }}
{{- end }}

{{/* One "- message" line per broken shared value; the chart's validateValues adds its own and fails once. */}}
{{- define "acme-lib.commonErrors" -}}
{{- $v := .Values }}
{{- $min := include "acme-lib.minReplicas" . | atoi }}
{{- if eq (include "acme-lib.imageTag" .) "latest" }}
- image.tag must not be "latest": pin a version (or set image.digest) so rollouts are reproducible
{{- end }}
{{- $surge := include "acme-lib.scaled" (dict "value" $v.strategy.maxSurge "total" $min "roundUp" true) | atoi }}
{{- $unavailable := include "acme-lib.scaled" (dict "value" $v.strategy.maxUnavailable "total" $min "roundUp" false) | atoi }}
{{- if and (eq $surge 0) (eq $unavailable 0) }}
- strategy.maxSurge and strategy.maxUnavailable are both 0: the rollout could never replace a pod
{{- end }}
{{- if and $v.autoscaling.enabled (gt (int $v.autoscaling.minReplicas) (int $v.autoscaling.maxReplicas)) }}
- autoscaling.minReplicas ({{ $v.autoscaling.minReplicas }}) is greater than autoscaling.maxReplicas ({{ $v.autoscaling.maxReplicas }})
{{- end }}
{{- if and $v.autoscaling.enabled (not $v.autoscaling.targetCPUUtilizationPercentage) (not $v.autoscaling.targetMemoryUtilizationPercentage) }}
- autoscaling is enabled without a CPU or memory target: set autoscaling.targetCPUUtilizationPercentage or targetMemoryUtilizationPercentage
{{- end }}
{{- include "acme-lib.pdbErrors" (dict "pdb" $v.podDisruptionBudget "min" $min "track" "") }}
{{- include "acme-lib.rolloutErrors" . }}
{{- if le (int $v.progressDeadlineSeconds) (int $v.minReadySeconds) }}
- progressDeadlineSeconds ({{ $v.progressDeadlineSeconds }}) must be greater than minReadySeconds ({{ $v.minReadySeconds }}), or the API server rejects the Deployment
{{- end }}
{{- $needed := add $v.shutdown.preStopSleepSeconds $v.shutdown.drainSeconds }}
{{- if le (int $v.terminationGracePeriodSeconds) (int $needed) }}
- terminationGracePeriodSeconds ({{ $v.terminationGracePeriodSeconds }}) must be greater than shutdown.preStopSleepSeconds + shutdown.drainSeconds ({{ $needed }}), or the kubelet kills requests still draining
{{- end }}
{{- if and $v.ingress.enabled $v.gateway.enabled }}
- ingress.enabled and gateway.enabled are mutually exclusive: pick one edge API
{{- end }}
{{- if and (or $v.ingress.enabled $v.gateway.enabled) (not $v.hosts) }}
- hosts is empty but ingress or gateway is enabled: name at least one host
{{- end }}
{{- if and $v.tls.enabled (not $v.hosts) }}
- tls.enabled needs at least one entry in hosts: a certificate covers named hosts
{{- end }}
{{- if and $v.gateway.enabled (not $v.gateway.parentRef.name) }}
- gateway.parentRef.name is empty: name the Gateway the HTTPRoutes attach to
{{- end }}
{{- if and $v.ingress.enabled $v.tls.enabled (not $v.tls.clusterIssuer) (not $v.tls.secretName) }}
- tls.clusterIssuer and tls.secretName are both empty: nothing would issue or provide the certificate
{{- end }}
{{- end }}

{{/* PodDisruptionBudget messages for one track at its minimum replicas ("min"); "track" names a second track in the message. */}}
{{- define "acme-lib.pdbErrors" -}}
{{- $pdb := .pdb }}
{{- $min := int .min }}
{{- if $pdb.enabled }}
{{- $hasMin := not (kindIs "invalid" $pdb.minAvailable) }}
{{- $hasMax := not (kindIs "invalid" $pdb.maxUnavailable) }}
{{- if and $hasMin $hasMax }}
- podDisruptionBudget: set minAvailable or maxUnavailable, not both (set the other to null)
{{- else if and (not $hasMin) (not $hasMax) }}
- podDisruptionBudget: set minAvailable or maxUnavailable
{{- else if gt $min 0 }}
{{- $allowed := 0 }}
{{- if $hasMax }}
{{- $allowed = include "acme-lib.scaled" (dict "value" $pdb.maxUnavailable "total" $min "roundUp" true) | atoi }}
{{- else }}
{{- $allowed = sub $min (include "acme-lib.scaled" (dict "value" $pdb.minAvailable "total" $min "roundUp" true) | atoi) }}
{{- end }}
{{- if lt (int $allowed) 1 }}
- podDisruptionBudget blocks node drains{{ with .track }} of the {{ . }} track{{ end }}: at {{ $min }} replica(s) it allows {{ $allowed }} disruption(s); allow at least 1 (or disable the PDB for a single replica)
{{- end }}
{{- end }}
{{- end }}
{{- end }}

{{/* rollout.* messages: the canary's bounds within autoscaling's, weight only to pods that exist, preview hosts apart from the public ones. */}}
{{- define "acme-lib.rolloutErrors" -}}
{{- $v := .Values }}
{{- $r := $v.rollout }}
{{- if eq $r.strategy "canary" }}
{{- $c := $r.canary }}
{{- if eq (toString $c.image.tag) "latest" }}
- rollout.canary.image.tag must not be "latest": pin a version (or set rollout.canary.image.digest) so the canary is the version it claims
{{- end }}
{{- $canaryMin := int $c.replicaCount }}
{{- if $v.autoscaling.enabled }}
{{- $canaryMin = int $c.autoscaling.minReplicas }}
{{- $stableMax := sub (int $v.autoscaling.maxReplicas) (int $c.autoscaling.maxReplicas) }}
{{- if gt (int $c.autoscaling.minReplicas) (int $c.autoscaling.maxReplicas) }}
- rollout.canary.autoscaling.minReplicas ({{ $c.autoscaling.minReplicas }}) is greater than rollout.canary.autoscaling.maxReplicas ({{ $c.autoscaling.maxReplicas }})
{{- end }}
{{- if lt (int $stableMax) (int $v.autoscaling.minReplicas) }}
- rollout.canary.autoscaling.maxReplicas ({{ $c.autoscaling.maxReplicas }}) leaves the stable track {{ $stableMax }} of autoscaling.maxReplicas ({{ $v.autoscaling.maxReplicas }}), below autoscaling.minReplicas ({{ $v.autoscaling.minReplicas }}): both tracks together must stay within autoscaling's bounds
{{- end }}
{{- else if and (gt (int $c.weight) 0) (eq $canaryMin 0) }}
- rollout.canary.weight is {{ $c.weight }} but rollout.canary.replicaCount is 0: the edge would send requests to a canary without pods
{{- end }}
{{- include "acme-lib.pdbErrors" (dict "pdb" $v.podDisruptionBudget "min" $canaryMin "track" "canary") }}
{{- else if eq $r.strategy "blueGreen" }}
{{- $preview := $r.blueGreen.previewHosts }}
{{- if eq (toString $r.blueGreen.green.image.tag) "latest" }}
- rollout.blueGreen.green.image.tag must not be "latest": pin a version (or set rollout.blueGreen.green.image.digest) so the switch moves to the version it claims
{{- end }}
{{- if and (or $v.ingress.enabled $v.gateway.enabled) (not $preview) }}
- rollout.blueGreen.previewHosts is empty: the idle colour needs a host to be tested on before the switch
{{- end }}
{{- range $preview }}
{{- if has . $v.hosts }}
- rollout.blueGreen.previewHosts names {{ . }}, a public host: the preview must never serve public traffic
{{- end }}
{{- end }}
{{- end }}
{{- end }}

{{/* Fail once with every message, or render nothing: (dict "chart" … "errors" "- …" lines) or (dict "chart" … "messages" (list …)) for charts that collect a list. */}}
{{- define "acme-lib.failOnErrors" -}}
{{- $errors := .errors | default "" }}
{{- range .messages }}
{{- $errors = printf "%s\n- %s" $errors . }}
{{- end }}
{{- $errors = trim $errors }}
{{- if $errors }}
{{- fail (printf "\n\n%s: invalid values:\n%s\n" .chart $errors) }}
{{- end }}
{{- end }}
