package main

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

// served answers one request through routes(), with no database behind it.
func served(t *testing.T, method, target string, header http.Header) (*httptest.ResponseRecorder, *metrics, map[string]any) {
	t.Helper()
	var logs bytes.Buffer
	m := newMetrics()
	handler := routes(nil, m, nil, slog.New(slog.NewJSONHandler(&logs, nil)))
	req := httptest.NewRequest(method, target, nil)
	for k, v := range header {
		req.Header[k] = v
	}
	rec := httptest.NewRecorder()
	handler.ServeHTTP(rec, req)
	var line map[string]any
	if err := json.Unmarshal(logs.Bytes(), &line); err != nil {
		t.Fatalf("log is not one JSON line: %q (%v)", logs.String(), err)
	}
	return rec, m, line
}

func TestRequestLogCarriesTheCallersRequestID(t *testing.T) {
	rec, _, line := served(t, "GET", "/healthz/live", http.Header{"X-Request-Id": {"smoke-42"}})
	if got := rec.Header().Get("X-Request-Id"); got != "smoke-42" {
		t.Fatalf("X-Request-Id = %q, want the caller's smoke-42", got)
	}
	want := map[string]any{"msg": "request", "request_id": "smoke-42", "method": "GET", "route": "/healthz/live",
		"path": "/healthz/live", "status": float64(200)}
	for k, v := range want {
		if line[k] != v {
			t.Errorf("log %s = %v, want %v (line %v)", k, line[k], v, line)
		}
	}
}

func TestRequestWithoutOrWithABadIDGetsANewOne(t *testing.T) {
	for name, header := range map[string]http.Header{"none": {}, "control characters": {"X-Request-Id": {"a\tb"}},
		"too long": {"X-Request-Id": {strings.Repeat("x", 129)}}} {
		rec, _, line := served(t, "GET", "/healthz/live", header)
		id := rec.Header().Get("X-Request-Id")
		if !regexp.MustCompile(`^[0-9a-f]{32}$`).MatchString(id) || line["request_id"] != id {
			t.Errorf("%s: X-Request-Id %q, logged %v: want one new 32-hex id in both", name, id, line["request_id"])
		}
	}
}

func TestRequestsAreMeasuredByMethodRouteAndStatus(t *testing.T) {
	_, m, _ := served(t, "GET", "/no/such/thing", nil)
	text := string(m.text())
	labels := `http_request_method="GET",http_response_status_code="404",http_route="/"`
	for _, series := range []string{
		"http_server_request_duration_seconds_bucket{" + labels + `,le="+Inf"} 1`,
		"http_server_request_duration_seconds_count{" + labels + "} 1",
	} {
		if !strings.Contains(text, series+"\n") {
			t.Errorf("missing %s in\n%s", series, text)
		}
	}
}

func TestRouteDropsTheMethodOfThePattern(t *testing.T) {
	for pattern, want := range map[string]string{"GET /v1/items": "/v1/items", "/": "/", "": "none"} {
		if got := route(pattern); got != want {
			t.Errorf("route(%q) = %q, want %q", pattern, got, want)
		}
	}
}
