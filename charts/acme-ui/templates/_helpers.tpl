{{/* Full name of the UI objects (delegates to the shared library). */}}
{{- define "acme-ui.fullname" -}}
{{- include "acme-lib.fullname" . }}
{{- end }}

{{/* Runtime settings the browser reads from /config.js. */}}
{{- define "acme-ui.browserConfig" -}}
{{- dict "apiBaseUrl" .Values.apiBaseUrl "cdnEnabled" .Values.cdn.enabled "assetBaseUrl" (ternary .Values.cdn.assetBaseUrl "" .Values.cdn.enabled) | toJson }}
{{- end }}

{{/* add_header lines repeated in every location: nginx drops server-level add_header in a location that has its own. */}}
{{- define "acme-ui.securityHeaders" -}}
{{- $hsts := .Values.cache.hsts }}
{{- if $hsts.enabled }}
add_header Strict-Transport-Security "max-age={{ $hsts.maxAgeSeconds | int64 }}{{ if $hsts.includeSubDomains }}; includeSubDomains{{ end }}" always;
{{- end }}
add_header X-Content-Type-Options "nosniff" always;
{{- end }}

{{/* nginx server block: immutable TTL for fingerprinted files, revalidation for everything else. */}}
{{- define "acme-ui.serverConfig" -}}
{{- $headers := include "acme-ui.securityHeaders" . | trim }}
{{- $revalidate := printf "add_header Cache-Control %s always;" (.Values.cache.htmlCacheControl | quote) }}
server {
    listen {{ .Values.ports.http }};
    server_name _;
    root /usr/share/nginx/html;
    server_tokens off;
    # The edge terminates TLS; absolute redirects would point at http://host:8080.
    absolute_redirect off;

    # Liveness/startup: answered by the server itself, independent of the static files.
    location = /healthz {
        access_log off;
        default_type text/plain;
        return 200 "ok\n";
    }

    # Runtime config rendered by the chart (CDN base URL, API URL); changes with every values change.
    location = /config.js {
        alias /etc/acme-ui/config.js;
        default_type application/javascript;
        {{- $headers | nindent 8 }}
        {{ $revalidate }}
    }

    # Fingerprinted assets never change under one name: cache them everywhere for the full TTL.
    location ~* "{{ .Values.cache.fingerprintPattern }}" {
        {{- $headers | nindent 8 }}
        add_header Cache-Control "public, max-age={{ .Values.cache.immutableMaxAgeSeconds | int64 }}, immutable" always;
        try_files $uri =404;
    }

    # index.html names the current fingerprints, so caches must revalidate it on every use.
    location = /index.html {
        {{- $headers | nindent 8 }}
        {{ $revalidate }}
    }

    # Everything else, including client-side routes that fall back to index.html.
    location / {
        {{- $headers | nindent 8 }}
        {{ $revalidate }}
        try_files $uri $uri/ /index.html;
    }
}
{{- end }}

{{/* Every semantic error in the values, shared and UI-specific, reported in one fail. */}}
{{- define "acme-ui.validateValues" -}}
{{- $errors := list (include "acme-lib.commonErrors" .) }}
{{- if and .Values.cdn.enabled (not .Values.cdn.assetBaseUrl) }}
{{- $errors = append $errors "- cdn.enabled needs cdn.assetBaseUrl (the public https:// base URL of the CDN)" }}
{{- end }}
{{- if contains "\"" .Values.cache.fingerprintPattern }}
{{- $errors = append $errors "- cache.fingerprintPattern must not contain a double quote (it is quoted in the server config)" }}
{{- end }}
{{- include "acme-lib.failOnErrors" (dict "chart" .Chart.Name "errors" (join "\n" $errors)) }}
{{- end }}
