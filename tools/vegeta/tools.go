//go:build tools

// Pins the vegeta command for tools/build-tools.sh.
package tools

import _ "github.com/tsenart/vegeta/v12"
