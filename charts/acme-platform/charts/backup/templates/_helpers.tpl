{{/* backup.ephemeralRequest: ephemeral storage one backup pod uses, in Mi: the scratch emptyDir (Ki to Ti), the 64Mi /tmp and the logs of its two containers (64Mi each: the kubelet keeps at most 5 x 10Mi per container). Takes the scratch size. */}}
{{- define "backup.ephemeralRequest" -}}
{{- $number := regexFind "^[0-9]+" . | int64 -}}
{{- $unit := trimPrefix (toString $number) . -}}
{{- $mebibytes := get (dict "Ki" (div (add $number 1023) 1024) "Mi" $number "Gi" (mul $number 1024) "Ti" (mul $number 1048576)) $unit -}}
{{- printf "%dMi" (add $mebibytes 64 128) -}}
{{- end }}

{{/* backup.resources: a container's resources with an ephemeral-storage request for the whole pod's scratch, unless the values set one. Takes (dict "resources" … "scratchSize" …). */}}
{{- define "backup.resources" -}}
{{- $resources := deepCopy (.resources | default dict) -}}
{{- $requests := get $resources "requests" | default dict -}}
{{- if not (hasKey $requests "ephemeral-storage") -}}
{{- $_ := set $requests "ephemeral-storage" (include "backup.ephemeralRequest" .scratchSize) -}}
{{- end -}}
{{- $_ := set $resources "requests" $requests -}}
{{- toYaml $resources -}}
{{- end }}

{{/* backup.podSpec: the pod of a backup Job: a producer init container fills /backup, the uploader ships it; or, given "containers", those alone (the restore drill). Takes (dict "ctx" $ "producer" <container yaml> "prefix" … "scratchSize" … "extraVolumes" <yaml>) or (dict "ctx" $ "containers" <yaml> "scratchSize" …). */}}
{{- define "backup.podSpec" -}}
{{- $v := .ctx.Values -}}
restartPolicy: Never
automountServiceAccountToken: false
{{- with $v.job.priorityClassName }}
priorityClassName: {{ . }}
{{- end }}
{{- with $v.job.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $v.job.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
securityContext:
  {{- include "acme-lib.podSecurityContextFor" (dict "user" $v.job.runAsUser "group" $v.job.runAsUser "fsGroup" $v.job.runAsUser) | nindent 2 }}
{{- if .containers }}
containers:
  {{- .containers | nindent 2 }}
{{- else }}
initContainers:
  {{- .producer | nindent 2 }}
containers:
  - name: upload
    image: {{ include "acme-lib.imageRef" $v.uploader.image }}
    imagePullPolicy: IfNotPresent
    command: ["/bin/sh", "/scripts/upload.sh"]
    env:
      - name: BACKUP_DIR
        value: /backup
      {{- include "backup.objectStorageEnv" (dict "ctx" .ctx "prefix" .prefix) | nindent 6 }}
    # The request covers the pod's scratch: the scheduler then places a run only on a node with
    # the disk free, and the kubelet's disk-pressure eviction spares a pod within its request.
    resources:
      {{- include "backup.resources" (dict "resources" $v.uploader.resources "scratchSize" .scratchSize) | nindent 6 }}
    securityContext:
      {{- include "acme-lib.containerSecurityContext" . | nindent 6 }}
    volumeMounts:
      - name: scripts
        mountPath: /scripts
        readOnly: true
      - name: backup
        mountPath: /backup
      - name: tmp
        mountPath: /tmp
{{- end }}
volumes:
  - name: scripts
    configMap:
      name: acme-backup-scripts
  - name: backup
    emptyDir:
      sizeLimit: {{ .scratchSize }}
  - name: tmp
    emptyDir:
      sizeLimit: 64Mi
  {{- with .extraVolumes }}
  {{- . | nindent 2 }}
  {{- end }}
{{- end }}

{{/* backup.cronError: why a schedule would be refused by the CronJob or Velero controller (robfig/cron standard syntax), or nothing. */}}
{{- define "backup.cronError" -}}
{{- $text := . | toString | lower | splitList " " | compact | join " " -}}
{{- $macros := list "@yearly" "@annually" "@monthly" "@weekly" "@daily" "@midnight" "@hourly" -}}
{{- if or (has $text $macros) (regexMatch "^@every ([0-9]+(\\.[0-9]+)?(ns|us|ms|s|m|h))+$" $text) -}}
{{- else if regexMatch "^(cron_)?tz=" $text -}}
time zones in the schedule are refused; use the timeZone value
{{- else -}}
{{- $fields := splitList " " $text -}}
{{- if ne (len $fields) 5 -}}
{{- len $fields }} fields, want 5
{{- else -}}
{{- $months := dict "jan" 1 "feb" 2 "mar" 3 "apr" 4 "may" 5 "jun" 6 "jul" 7 "aug" 8 "sep" 9 "oct" 10 "nov" 11 "dec" 12 -}}
{{- $days := dict "sun" 0 "mon" 1 "tue" 2 "wed" 3 "thu" 4 "fri" 5 "sat" 6 -}}
{{- $specs := list (list "minute" 0 59 dict) (list "hour" 0 23 dict) (list "day-of-month" 1 31 dict) (list "month" 1 12 $months) (list "day-of-week" 0 7 $days) -}}
{{- $problem := "" -}}
{{- range $i, $field := $fields -}}
{{- $name := index (index $specs $i) 0 -}}
{{- $low := index (index $specs $i) 1 -}}
{{- $high := index (index $specs $i) 2 -}}
{{- $names := index (index $specs $i) 3 -}}
{{- range $item := splitList "," $field -}}
{{- if $problem -}}
{{- else if not (regexMatch "^(\\*|\\?|[0-9a-z]+(-[0-9a-z]+)?)(/[1-9][0-9]*)?$" $item) -}}
{{- $problem = printf "%s field %q cannot be parsed" $name $field -}}
{{- else -}}
{{- $range := regexReplaceAll "/.*$" $item "" -}}
{{- if not (has $range (list "*" "?")) -}}
{{- $bounds := list -}}
{{- range $value := splitList "-" $range -}}
{{- $number := ternary (atoi $value) (ternary (get $names $value) -1 (hasKey $names $value) | int) (regexMatch "^[0-9]+$" $value) -}}
{{- if and (not $problem) (or (lt $number $low) (gt $number $high)) -}}
{{- $problem = printf "%s %q is outside %d-%d" $name $value $low $high -}}
{{- end -}}
{{- $bounds = append $bounds $number -}}
{{- end -}}
{{- if and (not $problem) (eq (len $bounds) 2) (gt (index $bounds 0) (index $bounds 1)) -}}
{{- $problem = printf "%s range %q runs backwards" $name $range -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- $problem -}}
{{- end -}}
{{- end -}}
{{- end }}

{{/* backup.cronMessage: one sentence for a refused schedule: the field, the reason, a valid example. Takes (list "<field>" <schedule>). */}}
{{- define "backup.cronMessage" -}}
{{- $problem := include "backup.cronError" (index . 1) -}}
{{- if $problem -}}
{{- printf "%s: %q is not a cron schedule (%s); write five fields, minute hour day-of-month month day-of-week, such as \"17 2 * * *\" (02:17 every day), or a macro such as @daily" (index . 0) (index . 1) $problem -}}
{{- end -}}
{{- end }}

{{/* backup.validateValues: collect every configuration error and fail once. */}}
{{- define "backup.validateValues" -}}
{{- $errors := list -}}
{{- $v := .Values -}}
{{- $jobs := or $v.pgDump.enabled $v.etcdSnapshot.enabled $v.restoreDrill.enabled -}}
{{- if and $jobs (empty $v.objectStorage.bucket) -}}
  {{- $errors = append $errors "backup.objectStorage.bucket: required; the dumps and snapshots have nowhere to go" -}}
{{- end -}}
{{- if and $jobs (empty $v.objectStorage.existingSecret) -}}
  {{- $errors = append $errors "backup.objectStorage.existingSecret: required; name the Secret with the access key pair (never put keys in values)" -}}
{{- end -}}
{{- if and $jobs $v.networkPolicy.enabled (empty $v.objectStorage.cidrs) -}}
  {{- $errors = append $errors "backup.objectStorage.cidrs: required with networkPolicy.enabled; the baseline denies egress, so uploads would time out" -}}
{{- end -}}
{{- if $v.etcdSnapshot.enabled -}}
  {{- if not (hasPrefix "https://" $v.etcdSnapshot.endpoint) -}}
    {{- $errors = append $errors "backup.etcdSnapshot.endpoint: the https:// client URL of one etcd member (https://<member>:2379)" -}}
  {{- end -}}
  {{- if and $v.networkPolicy.enabled (empty $v.etcdSnapshot.cidrs) -}}
    {{- $errors = append $errors "backup.etcdSnapshot.cidrs: required with networkPolicy.enabled; list the etcd members' addresses" -}}
  {{- end -}}
{{- end -}}
{{- if $v.restoreDrill.enabled -}}
  {{- if not $v.pgDump.enabled -}}
    {{- $errors = append $errors "backup.restoreDrill.enabled: needs backup.pgDump.enabled; without dumps the drill has nothing to restore" -}}
  {{- end -}}
  {{- if or (empty $v.restoreDrill.image.repository) (empty $v.restoreDrill.image.tag) -}}
    {{- $errors = append $errors "backup.restoreDrill.image: set repository and tag of an image with python3, psql, pg_restore and the AWS CLI (no upstream image has all four)" -}}
  {{- end -}}
{{- end -}}
{{- $schedules := list (list "backup.pgDump.schedule" $v.pgDump.schedule $v.pgDump.enabled) (list "backup.etcdSnapshot.schedule" $v.etcdSnapshot.schedule $v.etcdSnapshot.enabled) (list "backup.restoreDrill.schedule" $v.restoreDrill.schedule $v.restoreDrill.enabled) -}}
{{- range $name := keys $v.velero.schedules | sortAlpha -}}
  {{- $schedules = append $schedules (list (printf "backup.velero.schedules.%s.schedule" $name) (index $v.velero.schedules $name).schedule $v.velero.enabled) -}}
{{- end -}}
{{- range $schedules -}}
  {{- $message := include "backup.cronMessage" (list (index . 0) (index . 1)) -}}
  {{- if and (index . 2) $message -}}
    {{- $errors = append $errors $message -}}
  {{- end -}}
{{- end -}}
{{- if and $v.velero.enabled (empty $v.velero.schedules) -}}
  {{- $errors = append $errors "backup.velero.schedules: Velero is enabled but no schedule is defined" -}}
{{- end -}}
{{- include "acme-lib.failOnErrors" (dict "chart" .Chart.Name "messages" $errors) -}}
{{- end }}

{{/* backup.dumpContainer: init container running scripts/dump.sh with the database credentials. */}}
{{- define "backup.dumpContainer" -}}
{{- $v := .Values -}}
- name: dump
  image: {{ include "acme-lib.imageRef" $v.pgDump.image }}
  imagePullPolicy: IfNotPresent
  command: ["/bin/sh", "/scripts/dump.sh"]
  env:
    - name: BACKUP_DIR
      value: /backup
    {{- include "backup.databaseEnv" . | nindent 4 }}
  # The init container runs alone: the pod's request is the larger of it and the uploader's, so
  # both carry the pod's whole scratch.
  resources:
    {{- include "backup.resources" (dict "resources" $v.pgDump.resources "scratchSize" $v.pgDump.scratchSize) | nindent 4 }}
  securityContext:
    {{- include "acme-lib.containerSecurityContext" . | nindent 4 }}
  volumeMounts:
    - name: scripts
      mountPath: /scripts
      readOnly: true
    - name: backup
      mountPath: /backup
    - name: tmp
      mountPath: /tmp
{{- end }}

{{/* backup.etcdContainer: init container taking an etcd snapshot over the network with a client certificate (no hostPath, no host network). */}}
{{- define "backup.etcdContainer" -}}
{{- $e := .Values.etcdSnapshot -}}
- name: snapshot
  image: {{ include "acme-lib.imageRef" $e.image }}
  imagePullPolicy: IfNotPresent
  # No shell in the image: etcdctl is called directly; upload.sh adds the checksum.
  command: ["etcdctl", "snapshot", "save", "/backup/etcd-snapshot.db"]
  env:
    # `snapshot save` talks to exactly one member.
    - name: ETCDCTL_ENDPOINTS
      value: {{ $e.endpoint | quote }}
    - name: ETCDCTL_CACERT
      value: /etcd-client/ca.crt
    - name: ETCDCTL_CERT
      value: /etcd-client/tls.crt
    - name: ETCDCTL_KEY
      value: /etcd-client/tls.key
  resources:
    {{- include "backup.resources" (dict "resources" $e.resources "scratchSize" $e.scratchSize) | nindent 4 }}
  securityContext:
    {{- include "acme-lib.containerSecurityContext" . | nindent 4 }}
  volumeMounts:
    - name: backup
      mountPath: /backup
    - name: etcd-client
      mountPath: /etcd-client
      readOnly: true
{{- end }}

{{/* backup.databaseEnv: the libpq variables of the database the backups are of (the dump and the restore drill read the same Secret). */}}
{{- define "backup.databaseEnv" -}}
{{- $v := .Values -}}
- name: PGHOST
  value: {{ $v.database.host | quote }}
- name: PGPORT
  value: {{ $v.database.port | quote }}
- name: PGSSLMODE
  value: {{ $v.database.sslMode | quote }}
- name: PGUSER
  valueFrom:
    secretKeyRef:
      name: {{ $v.database.secretName }}
      key: username
- name: PGPASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ $v.database.secretName }}
      key: password
- name: PGDATABASE
  valueFrom:
    secretKeyRef:
      name: {{ $v.database.secretName }}
      key: database
{{- end }}

{{/* backup.objectStorageEnv: where the backups live, for the AWS CLI (the upload and the restore drill read the same place). Takes (dict "ctx" $ "prefix" …). */}}
{{- define "backup.objectStorageEnv" -}}
{{- $v := .ctx.Values -}}
- name: S3_ENDPOINT
  value: {{ $v.objectStorage.endpoint | quote }}
- name: S3_BUCKET
  value: {{ $v.objectStorage.bucket | quote }}
- name: S3_PREFIX
  value: {{ .prefix | quote }}
- name: AWS_DEFAULT_REGION
  value: {{ $v.objectStorage.region | quote }}
- name: AWS_ACCESS_KEY_ID
  valueFrom:
    secretKeyRef:
      name: {{ $v.objectStorage.existingSecret }}
      key: {{ $v.objectStorage.accessKeyIdKey }}
- name: AWS_SECRET_ACCESS_KEY
  valueFrom:
    secretKeyRef:
      name: {{ $v.objectStorage.existingSecret }}
      key: {{ $v.objectStorage.secretAccessKeyKey }}
# AWS CLI >= 2.23 adds CRC checksums to every upload, which many S3-compatible servers
# reject; the scripts verify SHA-256 themselves.
- name: AWS_REQUEST_CHECKSUM_CALCULATION
  value: when_required
- name: AWS_RESPONSE_CHECKSUM_VALIDATION
  value: when_required
# The CLI writes its cache under HOME; the root filesystem is read-only.
- name: HOME
  value: /tmp
{{- end }}

{{/* backup.drillContainer: the restore drill (scripts/drill.py): the newest backup restored into the scratch database, compared with its manifest, the result pushed to the metrics collector. */}}
{{- define "backup.drillContainer" -}}
{{- $v := .Values -}}
{{- $d := $v.restoreDrill -}}
- name: drill
  image: {{ include "acme-lib.imageRef" $d.image }}
  imagePullPolicy: IfNotPresent
  command: ["python3", "/scripts/drill.py"]
  terminationMessagePath: /dev/termination-log
  terminationMessagePolicy: File
  env:
    {{- include "backup.databaseEnv" . | nindent 4 }}
    - name: SCRATCH_DATABASE
      value: {{ $d.scratchDatabase | quote }}
    {{- include "backup.objectStorageEnv" (dict "ctx" . "prefix" $v.pgDump.prefix) | nindent 4 }}
    - name: PUSHGATEWAY_URL
      value: {{ $d.pushgateway.url | quote }}
    # The downloaded dump goes to the scratch volume, not to /tmp.
    - name: DRILL_DIR
      value: /backup
    # The verdict also in the pod's status, for clusters whose nodes serve no logs
    # (`harness backup verify` reads it there when the log cannot be read).
    - name: DRILL_RESULT_FILE
      value: /dev/termination-log
    - name: PYTHONDONTWRITEBYTECODE
      value: "1"
  resources:
    {{- include "backup.resources" (dict "resources" $d.resources "scratchSize" $d.scratchSize) | nindent 4 }}
  securityContext:
    {{- include "acme-lib.containerSecurityContext" . | nindent 4 }}
  volumeMounts:
    - name: scripts
      mountPath: /scripts
      readOnly: true
    - name: backup
      mountPath: /backup
    - name: tmp
      mountPath: /tmp
{{- end }}
