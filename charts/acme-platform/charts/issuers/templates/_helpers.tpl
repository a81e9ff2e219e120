{{/* issuers.acmeSpec: the ACME block shared by both Let's Encrypt issuers (args: root context, issuer name, server). */}}
{{- define "issuers.acmeSpec" -}}
{{- $root := index . 0 -}}
{{- $le := $root.Values.letsencrypt -}}
acme:
  email: {{ $le.email | quote }}
  server: {{ index . 2 }}
  # The ACME account key; cert-manager creates it on first registration.
  privateKeySecretRef:
    name: {{ index . 1 }}-account-key
  solvers:
    - http01:
        {{- if eq $le.http01.solver "gateway" }}
        gatewayHTTPRoute:
          parentRefs:
            - kind: Gateway
              name: {{ $le.http01.gateway.name }}
              namespace: {{ $le.http01.gateway.namespace }}
              sectionName: {{ $le.http01.gateway.sectionName }}
        {{- else }}
        ingress:
          ingressClassName: {{ $le.http01.ingressClassName }}
        {{- end }}
{{- end }}

{{/* issuers.validateValues: collect every configuration error and fail once. */}}
{{- define "issuers.validateValues" -}}
{{- $errors := list -}}
{{- $le := .Values.letsencrypt -}}
{{- if and (or $le.staging $le.production) (empty $le.email) -}}
  {{- $errors = append $errors "issuers.letsencrypt.email: required when a Let's Encrypt issuer is enabled" -}}
{{- end -}}
{{- if and (eq $le.http01.solver "ingress") (empty $le.http01.ingressClassName) -}}
  {{- $errors = append $errors "issuers.letsencrypt.http01.ingressClassName: required for the ingress solver" -}}
{{- end -}}
{{- if and (eq $le.http01.solver "gateway") (or (empty $le.http01.gateway.name) (empty $le.http01.gateway.namespace)) -}}
  {{- $errors = append $errors "issuers.letsencrypt.http01.gateway: name and namespace are required for the gateway solver" -}}
{{- end -}}
{{- if not (or $le.staging $le.production .Values.localCA.enabled) -}}
  {{- $errors = append $errors "issuers: every issuer is off; disable the subchart instead (issuers.enabled=false)" -}}
{{- end -}}
{{- include "acme-lib.failOnErrors" (dict "chart" .Chart.Name "messages" $errors) -}}
{{- end }}
