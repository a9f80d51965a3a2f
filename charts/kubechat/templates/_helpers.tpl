{{- define "kubechat.name" -}}
{{- default .Chart.Name .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "kubechat.labels" -}}
app.kubernetes.io/name: kubechat
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "kubechat.selector" -}}
app.kubernetes.io/name: kubechat
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "kubechat.serviceAccount" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "kubechat.name" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}
