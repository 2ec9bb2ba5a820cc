//go:build tools

// Package tools records the main packages that build-controlplane.sh builds, so that
// `go mod tidy` keeps go.sum complete for all of them. It is never compiled into anything.
package tools

import (
	_ "go.etcd.io/etcd/server/v3"
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
