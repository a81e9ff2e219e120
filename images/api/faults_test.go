package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func hits(t *testing.T, f *faults, path string, n int) (failed int) {
	t.Helper()
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) })
	handler := f.wrap(ok)
	for i := 0; i < n; i++ {
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		if rec.Code == http.StatusInternalServerError {
			failed++
		}
	}
	return failed
}

func TestErrorRateFailsExactlyItsFraction(t *testing.T) {
	if got := hits(t, &faults{errorRate: 0.2}, "/v1/items", 100); got != 20 {
		t.Fatalf("%d of 100 requests failed, want 20", got)
	}
	if got := hits(t, &faults{errorRate: 0.25}, "/v1/items", 7); got != 1 {
		t.Fatalf("%d of 7 requests failed at 25%%, want floor(1.75) = 1", got)
	}
}

func TestProbesAreNeverHit(t *testing.T) {
	if got := hits(t, &faults{errorRate: 1}, "/healthz/ready", 10); got != 0 {
		t.Fatalf("%d probe requests failed, want 0: a bad canary must still become ready", got)
	}
}

func TestSlowRateDelaysItsFraction(t *testing.T) {
	f := &faults{slowRate: 0.5, slowDelay: 40 * time.Millisecond}
	start := time.Now()
	if got := hits(t, f, "/", 4); got != 0 {
		t.Fatalf("%d requests failed, want 0 (only slowed)", got)
	}
	if took := time.Since(start); took < 80*time.Millisecond || took > 2*time.Second {
		t.Fatalf("4 requests at 50%% × 40ms took %s, want about 80ms", took)
	}
}

func TestNoFaultsServesUntouched(t *testing.T) {
	var none *faults
	if got := hits(t, none, "/v1/items", 10); got != 0 {
		t.Fatalf("%d requests failed without faults", got)
	}
}

func TestFaultsFromEnv(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"FAULT_ERROR_RATE": "1.5"}, `FAULT_ERROR_RATE="1.5" is not a fraction between 0 and 1`},
		{map[string]string{"FAULT_ERROR_RATE": "often"}, `FAULT_ERROR_RATE="often" is not a fraction between 0 and 1`},
		{map[string]string{"FAULT_SLOW_RATE": "-0.1"}, `FAULT_SLOW_RATE="-0.1" is not a fraction between 0 and 1`},
		{map[string]string{"FAULT_SLOW_DELAY": "soon"}, `FAULT_SLOW_DELAY="soon" is not a duration like 500ms`},
		{map[string]string{"FAULT_SLOW_RATE": "0.1"}, "FAULT_SLOW_RATE=0.1 needs FAULT_SLOW_DELAY"},
		{map[string]string{"FAULT_ERROR_RATE": "0.2", "FAULT_SLOW_RATE": "0.1", "FAULT_SLOW_DELAY": "250ms"}, ""},
	} {
		for _, name := range []string{"FAULT_ERROR_RATE", "FAULT_SLOW_RATE", "FAULT_SLOW_DELAY"} {
			t.Setenv(name, tc.env[name])
		}
		f, err := faultsFromEnv()
		switch {
		case tc.want == "" && err != nil:
			t.Fatalf("%v: unexpected error %v", tc.env, err)
		case tc.want == "" && (f.errorRate != 0.2 || f.slowRate != 0.1 || f.slowDelay != 250*time.Millisecond):
			t.Fatalf("%v: read %+v", tc.env, f)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Fatalf("%v: error %v, want %q", tc.env, err, tc.want)
		}
	}
}
