{{/* Deployment spec fields before the pod template; replicas is left to the HPA when it is on, so upgrades do not reset the scale. */}}
{{- define "acme-lib.deploymentSpecHead" -}}
{{- if not .Values.autoscaling.enabled }}
replicas: {{ .Values.replicaCount }}
{{- end }}
revisionHistoryLimit: {{ .Values.revisionHistoryLimit }}
minReadySeconds: {{ .Values.minReadySeconds }}
progressDeadlineSeconds: {{ .Values.progressDeadlineSeconds }}
selector:
  matchLabels:
    {{- include "acme-lib.selectorLabels" . | nindent 4 }}
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

{{/* HorizontalPodAutoscaler autoscaling/v2 (v1 cannot target memory or tune behavior). */}}
{{- define "acme-lib.hpa" -}}
{{- $hpa := .Values.autoscaling }}
{{- if $hpa.enabled }}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ include "acme-lib.fullname" . }}
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "acme-lib.labels" . | nindent 4 }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ include "acme-lib.fullname" . }}
  minReplicas: {{ $hpa.minReplicas }}
  maxReplicas: {{ $hpa.maxReplicas }}
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

{{/* PodDisruptionBudget policy/v1; AlwaysAllow lets a drain evict pods that are not ready anyway. */}}
{{- define "acme-lib.pdb" -}}
{{- $pdb := .Values.podDisruptionBudget }}
{{- if $pdb.enabled }}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ include "acme-lib.fullname" . }}
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "acme-lib.labels" . | nindent 4 }}
spec:
  {{- if not (kindIs "invalid" $pdb.minAvailable) }}
  minAvailable: {{ $pdb.minAvailable }}
  {{- else }}
  maxUnavailable: {{ $pdb.maxUnavailable }}
  {{- end }}
  unhealthyPodEvictionPolicy: {{ $pdb.unhealthyPodEvictionPolicy }}
  selector:
    matchLabels:
      {{- include "acme-lib.selectorLabels" . | nindent 6 }}
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

{{/* Ingress networking.k8s.io/v1; TLS covers every host and terminates at the edge. */}}
{{- define "acme-lib.ingress" -}}
{{- $ing := .Values.ingress }}
{{- if $ing.enabled }}
{{- $fullname := include "acme-lib.fullname" . }}
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: {{ $fullname }}
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "acme-lib.labels" . | nindent 4 }}
  {{- with include "acme-lib.ingressAnnotations" . }}
  annotations:
    {{- . | nindent 4 }}
  {{- end }}
spec:
  {{- with $ing.className }}
  ingressClassName: {{ . }}
  {{- end }}
  {{- if .Values.tls.enabled }}
  tls:
    - hosts:
        {{- toYaml .Values.hosts | nindent 8 }}
      secretName: {{ include "acme-lib.tlsSecretName" . }}
  {{- end }}
  rules:
    {{- range .Values.hosts }}
    - host: {{ . | quote }}
      http:
        paths:
          - path: {{ $ing.path }}
            pathType: {{ $ing.pathType }}
            backend:
              service:
                name: {{ $fullname }}
                port:
                  name: http
    {{- end }}
{{- end }}
{{- end }}

{{/* Gateway API HTTPRoutes: traffic on the Gateway's https listener, and a 301 to https on its http listener. */}}
{{- define "acme-lib.httpRoutes" -}}
{{- $gw := .Values.gateway }}
{{- if $gw.enabled }}
{{- $fullname := include "acme-lib.fullname" . }}
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: {{ $fullname }}
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "acme-lib.labels" . | nindent 4 }}
spec:
  parentRefs:
    - name: {{ $gw.parentRef.name }}
      namespace: {{ $gw.parentRef.namespace }}
      sectionName: {{ $gw.parentRef.httpsSectionName }}
  hostnames:
    {{- toYaml .Values.hosts | nindent 4 }}
  rules:
    - matches:
        - path:
            type: PathPrefix
            value: {{ .Values.ingress.path }}
      backendRefs:
        - name: {{ $fullname }}
          port: {{ .Values.service.port }}
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
    {{- toYaml .Values.hosts | nindent 4 }}
  rules:
    - filters:
        - type: RequestRedirect
          requestRedirect:
            scheme: https
            statusCode: 301
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

{{/* NetworkPolicy metadata and pod selector shared by both charts. */}}
{{- define "acme-lib.networkPolicyHead" -}}
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {{ include "acme-lib.fullname" . }}
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "acme-lib.labels" . | nindent 4 }}
spec:
  podSelector:
    matchLabels:
      {{- include "acme-lib.selectorLabels" . | nindent 6 }}
  policyTypes: [Ingress, Egress]
{{- end }}
