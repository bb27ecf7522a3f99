{{/* The release's name for its objects, at most 63 characters. */}}
{{- define "onewindow.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "onewindow.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* Selector labels of one role (serve or work): pass (list $ "serve"). */}}
{{- define "onewindow.selector" -}}
app.kubernetes.io/name: {{ (index . 0).Chart.Name }}
app.kubernetes.io/instance: {{ (index . 0).Release.Name }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end -}}

{{- define "onewindow.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}

{{- define "onewindow.serviceAccount" -}}
{{- if .Values.serviceAccount.create -}}
{{ .Values.serviceAccount.name | default (include "onewindow.fullname" .) }}
{{- else -}}
{{ .Values.serviceAccount.name | default "default" }}
{{- end -}}
{{- end -}}

{{/* The settings and secret files both roles read. */}}
{{- define "onewindow.env" -}}
- name: ONEWINDOW_S3_ENDPOINT
  value: {{ .Values.s3.endpoint | quote }}
- name: ONEWINDOW_S3_SECURE
  value: {{ .Values.s3.secure | quote }}
{{- with .Values.s3.publicURL }}
- name: ONEWINDOW_S3_PUBLIC_URL
  value: {{ . | quote }}
{{- end }}
{{- range $k, $v := .Values.settings }}
- name: {{ $k }}
  value: {{ $v | quote }}
{{- end }}
- name: ONEWINDOW_REDIS_URL_FILE
  value: /run/secrets/onewindow/redis-url
- name: ONEWINDOW_S3_ACCESS_KEY_FILE
  value: /run/secrets/onewindow/s3-access-key
- name: ONEWINDOW_S3_SECRET_KEY_FILE
  value: /run/secrets/onewindow/s3-secret-key
{{- if .Values.notifySecret }}
- name: ONEWINDOW_NOTIFY_SECRET_FILE
  value: /run/secrets/onewindow/notify-secret
{{- end }}
{{- end -}}

{{- define "onewindow.secretVolume" -}}
- name: secrets
  secret:
    secretName: {{ required "existingSecret names the Secret with the credentials" .Values.existingSecret }}
    defaultMode: 0440  # group: the pod's fsGroup
{{- end -}}
