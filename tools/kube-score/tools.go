//go:build tools

// Package tools pins the commands this wrapper module builds.
package tools

import _ "github.com/zegl/kube-score/cmd/kube-score"
