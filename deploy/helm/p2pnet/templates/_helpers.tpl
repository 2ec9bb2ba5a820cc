{{/* Names, labels and images shared by the templates. */}}

{{- define "p2pnet.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* <release>-<chart>, or the release name alone when it already holds the chart name. */}}
{{- define "p2pnet.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- $name := include "p2pnet.name" . -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 50 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "p2pnet.operatorName" -}}
{{- printf "%s-operator" (include "p2pnet.fullname" .) -}}
{{- end -}}

{{- define "p2pnet.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The operator's selector labels (stable across upgrades). */}}
{{- define "p2pnet.selectorLabels" -}}
app.kubernetes.io/name: {{ include "p2pnet.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: operator
{{- end -}}

{{- define "p2pnet.labels" -}}
{{ include "p2pnet.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: p2pnet
helm.sh/chart: {{ include "p2pnet.chart" . }}
{{- end -}}

{{- define "p2pnet.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "p2pnet.operatorName" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- required "serviceAccount.name: required when serviceAccount.create is false" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* repository@digest, else repository:tag (tag defaults to the chart's appVersion). */}}
{{- define "p2pnet.image" -}}
{{- if .image.digest -}}
{{- printf "%s@%s" .image.repository .image.digest -}}
{{- else -}}
{{- printf "%s:%s" .image.repository (default .appVersion .image.tag) -}}
{{- end -}}
{{- end -}}

{{/* The namespaces the operator watches (scope: namespace), as a list. */}}
{{- define "p2pnet.watchNamespaces" -}}
{{- $namespaces := .Values.rbac.namespaces | default (list .Release.Namespace) -}}
{{- toJson $namespaces -}}
{{- end -}}

{{/* Checks no schema can express. */}}
{{- define "p2pnet.validate" -}}
{{- if eq (int .Values.networkDefaults.grpcPort) (int .Values.networkDefaults.metricsPort) -}}
{{- fail "networkDefaults.grpcPort and networkDefaults.metricsPort must differ" -}}
{{- end -}}
{{- if eq (int .Values.operator.metricsPort) (int .Values.operator.healthPort) -}}
{{- fail "operator.metricsPort and operator.healthPort must differ" -}}
{{- end -}}
{{- if and (eq .Values.rbac.scope "cluster") .Values.rbac.namespaces -}}
{{- fail "rbac.namespaces: only with rbac.scope=namespace (scope cluster watches every namespace)" -}}
{{- end -}}
{{- end -}}
