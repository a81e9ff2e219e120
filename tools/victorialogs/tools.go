//go:build tools

// Pins the log store and the log shipper this wrapper module builds.
package tools

import (
	_ "github.com/VictoriaMetrics/VictoriaLogs/app/victoria-logs"
	_ "github.com/VictoriaMetrics/VictoriaLogs/app/vlagent"
)
