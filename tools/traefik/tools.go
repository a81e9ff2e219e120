//go:build tools

// Package tools pins the edge controller this wrapper builds.
package tools

import _ "github.com/traefik/traefik/v3/cmd/traefik"
