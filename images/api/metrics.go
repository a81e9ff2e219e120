package main

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strings"
	"sync"
	"time"
)

// metrics keeps a handful of series in Prometheus' text format: the RED metrics of every request
// as the OpenTelemetry HTTP server histogram (http.server.request.duration in Prometheus naming, the
// family the chart's dashboards and alerts query), database reachability, push results.
// Hand-written to keep the stand-in on the stdlib.
type metrics struct {
	mu         sync.Mutex
	requests   map[requestKey]*histogram
	databaseUp float64
	pushes     map[string]float64 // result -> count
}

// requestKey holds the semantic-convention attributes of one request, as Prometheus labels.
type requestKey struct {
	method, route, status string
}

// durationBuckets are the semantic conventions' advisory boundaries for http.server.request.duration.
var durationBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10}

type histogram struct {
	counts []float64 // per bucket, not cumulative
	sum    float64
	count  float64
}

func newMetrics() *metrics {
	return &metrics{requests: map[requestKey]*histogram{}, pushes: map[string]float64{}}
}

func (m *metrics) observe(key requestKey, took time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	h := m.requests[key]
	if h == nil {
		h = &histogram{counts: make([]float64, len(durationBuckets))}
		m.requests[key] = h
	}
	seconds := took.Seconds()
	if i := sort.SearchFloat64s(durationBuckets, seconds); i < len(durationBuckets) {
		h.counts[i]++
	}
	h.sum += seconds
	h.count++
}

func (m *metrics) setDatabaseUp(up bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.databaseUp = map[bool]float64{true: 1, false: 0}[up]
}

func (m *metrics) countPush(result string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.pushes[result]++
}

func label(value string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(value)
}

// text renders every series, sorted, in the exposition format version 0.0.4.
func (m *metrics) text() []byte {
	m.mu.Lock()
	defer m.mu.Unlock()
	var b bytes.Buffer
	b.WriteString("# HELP http_server_request_duration_seconds Duration of HTTP server requests.\n# TYPE http_server_request_duration_seconds histogram\n")
	keys := make([]requestKey, 0, len(m.requests))
	for k := range m.requests {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		return a.route < b.route || a.route == b.route && (a.method < b.method || a.method == b.method && a.status < b.status)
	})
	for _, k := range keys {
		h := m.requests[k]
		labels := fmt.Sprintf(`http_request_method="%s",http_response_status_code="%s",http_route="%s"`, label(k.method), k.status, label(k.route))
		cumulative := 0.0
		for i, bound := range durationBuckets {
			cumulative += h.counts[i]
			fmt.Fprintf(&b, "http_server_request_duration_seconds_bucket{%s,le=\"%g\"} %g\n", labels, bound, cumulative)
		}
		fmt.Fprintf(&b, "http_server_request_duration_seconds_bucket{%s,le=\"+Inf\"} %g\n", labels, h.count)
		fmt.Fprintf(&b, "http_server_request_duration_seconds_sum{%s} %g\n", labels, h.sum)
		fmt.Fprintf(&b, "http_server_request_duration_seconds_count{%s} %g\n", labels, h.count)
	}
	b.WriteString("# HELP acme_api_database_up 1 when the last readiness check reached PostgreSQL.\n# TYPE acme_api_database_up gauge\n")
	fmt.Fprintf(&b, "acme_api_database_up %g\n", m.databaseUp)
	b.WriteString("# HELP acme_api_metrics_pushes_total Pushes to METRICS_URL by result.\n# TYPE acme_api_metrics_pushes_total counter\n")
	for _, result := range []string{"error", "ok"} {
		fmt.Fprintf(&b, "acme_api_metrics_pushes_total{result=\"%s\"} %g\n", result, m.pushes[result])
	}
	return b.Bytes()
}

// handler serves /metrics on the metrics port; the readiness state is refreshed per scrape.
func (m *metrics) handler(db *store) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /metrics", func(w http.ResponseWriter, r *http.Request) {
		m.setDatabaseUp(db.ready(r.Context()) == nil)
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		_, _ = w.Write(m.text())
	})
	return mux
}

// pushURL is the Pushgateway grouping key of this pod: job acme-api, instance = host name.
func pushURL(base string) (string, error) {
	parsed, err := url.Parse(strings.TrimSuffix(base, "/"))
	if err != nil || parsed.Host == "" {
		return "", fmt.Errorf("METRICS_URL=%q is not an http(s) URL", base)
	}
	host, _ := os.Hostname()
	return parsed.String() + "/metrics/job/acme-api/instance/" + url.PathEscape(host), nil
}

// pushLoop PUTs the current series to the Pushgateway every interval (PUT replaces the group).
func (m *metrics) pushLoop(ctx context.Context, base string, interval time.Duration, db *store) {
	target, err := pushURL(base)
	if err != nil {
		slog.Warn("not pushing", slog.String("error", err.Error()))
		return
	}
	client := &http.Client{Timeout: 5 * time.Second}
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for {
		m.setDatabaseUp(db.ready(ctx) == nil)
		m.countPush(push(ctx, client, target, m.text()))
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
	}
}

func push(ctx context.Context, client *http.Client, target string, body []byte) string {
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, target, bytes.NewReader(body))
	if err != nil {
		return "error"
	}
	req.Header.Set("Content-Type", "text/plain; version=0.0.4")
	resp, err := client.Do(req)
	if err != nil {
		slog.Warn("push failed", slog.String("target", target), slog.String("error", err.Error()))
		return "error"
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		slog.Warn("push refused", slog.String("target", target), slog.Int("status", resp.StatusCode))
		return "error"
	}
	return "ok"
}
