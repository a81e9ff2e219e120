{{/* Deployment spec fields of a track before the pod template; replicas is left to the HPA when it is on, so upgrades do not reset the scale. */}}
{{- define "acme-lib.deploymentSpecHead" -}}
{{- if not .Values.autoscaling.enabled }}
replicas: {{ .Track.replicas }}
{{- end }}
revisionHistoryLimit: {{ .Values.revisionHistoryLimit }}
minReadySeconds: {{ .Values.minReadySeconds }}
progressDeadlineSeconds: {{ .Values.progressDeadlineSeconds }}
selector:
  matchLabels:
    {{- include "acme-lib.trackSelectorLabels" . | nindent 4 }}
strategy:
  {{- include "acme-lib.strategy" . | nindent 2 }}
{{- end }}

{{/* ServiceAccount object; its token is not mounted unless serviceAccount.automountToken asks. */}}
{{- define "acme-lib.serviceAccount" -}}
{{- if .Values.serviceAccount.create }}
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {{ include "acme-lib.serviceAccountName" . }}
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "acme-lib.labels" . | nindent 4 }}
  {{- with .Values.serviceAccount.annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
automountServiceAccountToken: {{ .Values.serviceAccount.automountToken }}
{{- end }}
{{- end }}

{{/* HorizontalPodAutoscaler autoscaling/v2 of a track (v1 cannot target memory or tune behavior); the track carries its bounds. */}}
{{- define "acme-lib.hpa" -}}
{{- $hpa := .Values.autoscaling }}
{{- if $hpa.enabled }}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ include "acme-lib.trackName" . }}
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "acme-lib.trackLabels" . | nindent 4 }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ include "acme-lib.trackName" . }}
  minReplicas: {{ .Track.minReplicas }}
  maxReplicas: {{ .Track.maxReplicas }}
  metrics:
    {{- range $resource, $target := dict "cpu" $hpa.targetCPUUtilizationPercentage "memory" $hpa.targetMemoryUtilizationPercentage }}
    {{- if $target }}
    - type: Resource
      resource:
        name: {{ $resource }}
        target:
          type: Utilization
          averageUtilization: {{ $target }}
    {{- end }}
    {{- end }}
  {{- with $hpa.behavior }}
  behavior:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end }}
{{- end }}

{{/* PodDisruptionBudget policy/v1 of a track; AlwaysAllow lets a drain evict pods that are not ready anyway. */}}
{{- define "acme-lib.pdb" -}}
{{- $pdb := .Values.podDisruptionBudget }}
{{- if $pdb.enabled }}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ include "acme-lib.trackName" . }}
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "acme-lib.trackLabels" . | nindent 4 }}
spec:
  {{- if not (kindIs "invalid" $pdb.minAvailable) }}
  minAvailable: {{ $pdb.minAvailable }}
  {{- else }}
  maxUnavailable: {{ $pdb.maxUnavailable }}
  {{- end }}
  unhealthyPodEvictionPolicy: {{ $pdb.unhealthyPodEvictionPolicy }}
  selector:
    matchLabels:
      {{- include "acme-lib.trackSelectorLabels" . | nindent 6 }}
{{- end }}
{{- end }}

{{/* Ingress annotations: the cert-manager ClusterIssuer (cluster-issuer: the issuer key only finds namespaced Issuers), the edge's redirect, then free-form extras. */}}
{{- define "acme-lib.ingressAnnotations" -}}
{{- $annotations := dict }}
{{- if and .Values.tls.enabled .Values.tls.clusterIssuer }}
{{- $_ := set $annotations "cert-manager.io/cluster-issuer" .Values.tls.clusterIssuer }}
{{- end }}
{{- if .Values.tls.enabled }}
{{- $annotations = merge $annotations .Values.ingress.redirectAnnotations }}
{{- end }}
{{- /* merge writes into its first argument: copy so .Values stays untouched. */}}
{{- $annotations = merge (deepCopy .Values.ingress.annotations) $annotations }}
{{- with $annotations }}
{{- toYaml . }}
{{- end }}
{{- end }}

{{/* Ingress networking.k8s.io/v1 of the public hosts (the active colour's Service under blueGreen) and, under blueGreen, of the preview hosts (the idle colour's); TLS covers every host and terminates at the edge. */}}
{{- define "acme-lib.ingress" -}}
{{- if .Values.ingress.enabled }}
{{- $public := include "acme-lib.publicBackends" . | fromYamlArray }}
{{- include "acme-lib.ingressObject" (dict "root" . "name" (include "acme-lib.fullname" .) "hosts" .Values.hosts "secretName" (include "acme-lib.tlsSecretName" .) "service" (index $public 0).name) }}
{{- if eq .Values.rollout.strategy "blueGreen" }}
---
{{- $name := printf "%s-preview" (include "acme-lib.fullname" .) }}
{{- include "acme-lib.ingressObject" (dict "root" . "name" $name "hosts" .Values.rollout.blueGreen.previewHosts "secretName" (printf "%s-tls" $name) "service" (include "acme-lib.previewService" .) "preview" true) }}
{{- end }}
{{- end }}
{{- end }}

{{/* One Ingress: "name", "hosts", "secretName", "service" (every path goes to that Service's http port), "preview" for the idle colour's. */}}
{{- define "acme-lib.ingressObject" -}}
{{- $root := .root }}
{{- $ing := $root.Values.ingress }}
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: {{ .name }}
  namespace: {{ $root.Release.Namespace }}
  labels:
    {{- include "acme-lib.labels" $root | nindent 4 }}
    {{- if index . "preview" }}
    # Marks the route that reaches the idle colour; checks hold it apart from the public routes.
    acme.com/route: preview
    {{- end }}
  {{- with include "acme-lib.ingressAnnotations" $root }}
  annotations:
    {{- . | nindent 4 }}
  {{- end }}
spec:
  {{- with $ing.className }}
  ingressClassName: {{ . }}
  {{- end }}
  {{- if $root.Values.tls.enabled }}
  tls:
    - hosts:
        {{- toYaml .hosts | nindent 8 }}
      secretName: {{ .secretName }}
  {{- end }}
  rules:
    {{- range .hosts }}
    - host: {{ . | quote }}
      http:
        paths:
          - path: {{ $ing.path }}
            pathType: {{ $ing.pathType }}
            backend:
              service:
                name: {{ $.service }}
                port:
                  name: http
    {{- end }}
{{- end }}

{{/*
The Ingress path's weighted split under canary. Traefik's Ingress provider has no weights (it
refuses resource backends), so a TraefikService weighs the tracks' Services and an IngressRoute
for the same hosts sends to it; its explicit priority wins over the Ingress's router, whose
default priority is its rule's length. The Ingress stays: cert-manager issues the certificate
from it (the IngressRoute serves the same Secret), and it keeps serving the stable track the
moment the canary objects are removed.
*/}}
{{- define "acme-lib.traefikService" -}}
{{- if and .Values.ingress.enabled (eq .Values.rollout.strategy "canary") }}
apiVersion: traefik.io/v1alpha1
kind: TraefikService
metadata:
  name: {{ include "acme-lib.fullname" . }}
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "acme-lib.labels" . | nindent 4 }}
spec:
  weighted:
    services:
      {{- range include "acme-lib.publicBackends" . | fromYamlArray }}
      - name: {{ .name }}
        namespace: {{ $.Release.Namespace }}
        port: {{ $.Values.service.port }}
        weight: {{ .weight }}
      {{- end }}
{{- end }}
{{- end }}

{{/* IngressRoute of the public hosts to the weighted TraefikService above (canary on the Ingress path). */}}
{{- define "acme-lib.ingressRoute" -}}
{{- if and .Values.ingress.enabled (eq .Values.rollout.strategy "canary") }}
{{- $fullname := include "acme-lib.fullname" . }}
{{- $traefik := .Values.rollout.canary.traefik }}
apiVersion: traefik.io/v1alpha1
kind: IngressRoute
metadata:
  name: {{ $fullname }}
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "acme-lib.labels" . | nindent 4 }}
spec:
  entryPoints:
    {{- toYaml $traefik.entryPoints | nindent 4 }}
  routes:
    - kind: Rule
      match: {{ printf "(%s) && PathPrefix(`%s`)" (include "acme-lib.traefikHosts" .Values.hosts) .Values.ingress.path | quote }}
      priority: {{ $traefik.priority }}
      services:
        - name: {{ $fullname }}
          namespace: {{ .Release.Namespace }}
          kind: TraefikService
  {{- if .Values.tls.enabled }}
  tls:
    secretName: {{ include "acme-lib.tlsSecretName" . }}
  {{- end }}
{{- end }}
{{- end }}

{{/* Traefik v3 rule matching any of the hosts (Host takes one host in v3). */}}
{{- define "acme-lib.traefikHosts" -}}
{{- $rules := list }}
{{- range . }}
{{- $rules = append $rules (printf "Host(`%s`)" .) }}
{{- end }}
{{- join " || " $rules }}
{{- end }}

{{/* Gateway API HTTPRoutes: traffic on the Gateway's https listener (weighted over the tracks under canary, the active colour under blueGreen), the preview hosts to the idle colour, and a 301 to https on its http listener. */}}
{{- define "acme-lib.httpRoutes" -}}
{{- $gw := .Values.gateway }}
{{- if $gw.enabled }}
{{- $fullname := include "acme-lib.fullname" . }}
{{- $hosts := .Values.hosts }}
{{- include "acme-lib.httpRouteObject" (dict "root" . "name" $fullname "hosts" .Values.hosts "backends" (include "acme-lib.publicBackends" . | fromYamlArray)) }}
{{- if eq .Values.rollout.strategy "blueGreen" }}
{{- $hosts = concat $hosts .Values.rollout.blueGreen.previewHosts }}
---
{{- include "acme-lib.httpRouteObject" (dict "root" . "name" (printf "%s-preview" $fullname) "hosts" .Values.rollout.blueGreen.previewHosts "backends" (list (dict "name" (include "acme-lib.previewService" .))) "preview" true) }}
{{- end }}
{{- if $gw.redirectToHttps }}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: {{ $fullname }}-redirect
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "acme-lib.labels" . | nindent 4 }}
spec:
  parentRefs:
    - name: {{ $gw.parentRef.name }}
      namespace: {{ $gw.parentRef.namespace }}
      sectionName: {{ $gw.parentRef.httpSectionName }}
  hostnames:
    {{- toYaml $hosts | nindent 4 }}
  rules:
    - filters:
        - type: RequestRedirect
          requestRedirect:
            scheme: https
            statusCode: 301
{{- end }}
{{- end }}
{{- end }}

{{/* One HTTPRoute on the Gateway's https listener: "name", "hosts", "backends" (name, optional weight), "preview" for the idle colour's. */}}
{{- define "acme-lib.httpRouteObject" -}}
{{- $root := .root }}
{{- $gw := $root.Values.gateway }}
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: {{ .name }}
  namespace: {{ $root.Release.Namespace }}
  labels:
    {{- include "acme-lib.labels" $root | nindent 4 }}
    {{- if index . "preview" }}
    # Marks the route that reaches the idle colour; checks hold it apart from the public routes.
    acme.com/route: preview
    {{- end }}
spec:
  parentRefs:
    - name: {{ $gw.parentRef.name }}
      namespace: {{ $gw.parentRef.namespace }}
      sectionName: {{ $gw.parentRef.httpsSectionName }}
  hostnames:
    {{- toYaml .hosts | nindent 4 }}
  rules:
    - matches:
        - path:
            type: PathPrefix
            value: {{ $root.Values.ingress.path }}
      backendRefs:
        {{- range .backends }}
        - name: {{ .name }}
          port: {{ $root.Values.service.port }}
          {{- if hasKey . "weight" }}
          weight: {{ .weight }}
          {{- end }}
        {{- end }}
{{- end }}

{{/* NetworkPolicy ingress rule: the edge controller's pods in the edge namespace, on the http container port. */}}
{{- define "acme-lib.networkPolicyFromEdge" -}}
- from:
    - namespaceSelector:
        matchLabels:
          kubernetes.io/metadata.name: {{ .Values.networkPolicy.edge.namespace }}
      podSelector:
        matchLabels:
          {{- toYaml .Values.networkPolicy.edge.podLabels | nindent 10 }}
  ports:
    - protocol: TCP
      port: {{ .Values.ports.http }}
{{- end }}

{{/* NetworkPolicy egress rule: cluster DNS on 53 over UDP and TCP (TCP for large answers). */}}
{{- define "acme-lib.networkPolicyToDns" -}}
- to:
    - namespaceSelector:
        matchLabels:
          kubernetes.io/metadata.name: {{ .Values.networkPolicy.dns.namespace }}
      podSelector:
        matchLabels:
          {{- toYaml .Values.networkPolicy.dns.podLabels | nindent 10 }}
  ports:
    - protocol: UDP
      port: 53
    - protocol: TCP
      port: 53
{{- end }}

{{/* NetworkPolicy metadata and pod selector of a track, shared by both charts: every track gets the same rules. */}}
{{- define "acme-lib.networkPolicyHead" -}}
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {{ include "acme-lib.trackName" . }}
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "acme-lib.trackLabels" . | nindent 4 }}
spec:
  podSelector:
    matchLabels:
      {{- include "acme-lib.trackSelectorLabels" . | nindent 6 }}
  policyTypes: [Ingress, Egress]
{{- end }}
