package main

import (
	"strings"
	"testing"
	"time"
)

// The buckets are cumulative and end in +Inf = count: what histogram_quantile needs.
func TestHistogramBucketsAreCumulative(t *testing.T) {
	m := newMetrics()
	key := requestKey{method: "POST", route: "/v1/items", status: "201"}
	for _, took := range []time.Duration{3 * time.Millisecond, 40 * time.Millisecond, 2 * time.Second, 20 * time.Second} {
		m.observe(key, took)
	}
	text := string(m.text())
	labels := `http_request_method="POST",http_response_status_code="201",http_route="/v1/items"`
	for le, count := range map[string]string{"0.005": "1", "0.025": "1", "0.05": "2", "1": "2", "2.5": "3", "10": "3", "+Inf": "4"} {
		series := "http_server_request_duration_seconds_bucket{" + labels + `,le="` + le + `"} ` + count + "\n"
		if !strings.Contains(text, series) {
			t.Errorf("missing %s", series)
		}
	}
	if !strings.Contains(text, "http_server_request_duration_seconds_sum{"+labels+"} 22.043\n") {
		t.Errorf("sum is not 22.043 s:\n%s", text)
	}
}

func TestExpositionDeclaresEachFamilyOnce(t *testing.T) {
	m := newMetrics()
	m.observe(requestKey{"GET", "/", "200"}, time.Millisecond)
	m.observe(requestKey{"GET", "/v1/items", "503"}, time.Millisecond)
	types := map[string]int{}
	for _, line := range strings.Split(string(m.text()), "\n") {
		if strings.HasPrefix(line, "# TYPE ") {
			types[strings.Fields(line)[2]]++
		}
	}
	want := map[string]int{"http_server_request_duration_seconds": 1, "acme_api_database_up": 1, "acme_api_metrics_pushes_total": 1}
	if len(types) != len(want) {
		t.Fatalf("families %v, want %v", types, want)
	}
	for family, n := range want {
		if types[family] != n {
			t.Errorf("family %s declared %d times", family, types[family])
		}
	}
}

func TestLabelValuesAreEscaped(t *testing.T) {
	if got := label("a\"b\\c\nd"); got != `a\"b\\c\nd` {
		t.Fatalf("label() = %q", got)
	}
}
