package main

import (
	"bytes"
	"context"
	"fmt"
	"log"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strings"
	"sync"
	"time"
)

// metrics keeps a handful of series in Prometheus' text format: request counts and durations,
// database reachability, push results. Hand-written to keep the stand-in on the stdlib.
type metrics struct {
	mu         sync.Mutex
	requests   map[[2]string]float64 // (handler, code) -> count
	durations  map[string][2]float64 // handler -> (sum seconds, count)
	databaseUp float64
	pushes     map[string]float64 // result -> count
}

func newMetrics() *metrics {
	return &metrics{requests: map[[2]string]float64{}, durations: map[string][2]float64{}, pushes: map[string]float64{}}
}

func (m *metrics) observe(handler, code string, took time.Duration) {
	if handler == "" {
		handler = "none"
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.requests[[2]string{handler, code}]++
	d := m.durations[handler]
	m.durations[handler] = [2]float64{d[0] + took.Seconds(), d[1] + 1}
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
	b.WriteString("# HELP acme_api_http_requests_total HTTP requests by route and status code.\n# TYPE acme_api_http_requests_total counter\n")
	keys := make([][2]string, 0, len(m.requests))
	for k := range m.requests {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i][0]+keys[i][1] < keys[j][0]+keys[j][1] })
	for _, k := range keys {
		fmt.Fprintf(&b, "acme_api_http_requests_total{handler=\"%s\",code=\"%s\"} %g\n", label(k[0]), k[1], m.requests[k])
	}
	b.WriteString("# HELP acme_api_http_request_duration_seconds Time spent answering requests.\n# TYPE acme_api_http_request_duration_seconds summary\n")
	handlers := make([]string, 0, len(m.durations))
	for h := range m.durations {
		handlers = append(handlers, h)
	}
	sort.Strings(handlers)
	for _, h := range handlers {
		d := m.durations[h]
		fmt.Fprintf(&b, "acme_api_http_request_duration_seconds_sum{handler=\"%s\"} %g\n", label(h), d[0])
		fmt.Fprintf(&b, "acme_api_http_request_duration_seconds_count{handler=\"%s\"} %g\n", label(h), d[1])
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
		log.Printf("acme-api: %v; not pushing", err)
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
		log.Printf("acme-api: push to %s: %v", target, err)
		return "error"
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		log.Printf("acme-api: push to %s: HTTP %d", target, resp.StatusCode)
		return "error"
	}
	return "ok"
}
