package main

import (
	"fmt"
	"math"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// faults makes a fraction of the requests fail with 500 and a fraction wait before they are
// served, so a release can be tested against a bad canary. The fractions are exact, not random:
// the n-th request is hit when floor(n × rate) grows, so n requests see floor(n × rate) faults and
// a test can bound the failures it should observe. Probes are never
// hit: a bad canary passes its probes and takes traffic, which is what an analysis must catch.
type faults struct {
	errorRate float64
	slowRate  float64
	slowDelay time.Duration

	mu       sync.Mutex
	requests int
	failed   int
	slowed   int
}

func envRate(name string) (float64, error) {
	text := os.Getenv(name)
	if text == "" {
		return 0, nil
	}
	value, err := strconv.ParseFloat(text, 64)
	if err != nil || value < 0 || value > 1 {
		return 0, fmt.Errorf("%s=%q is not a fraction between 0 and 1", name, text)
	}
	return value, nil
}

// faultsFromEnv reads FAULT_ERROR_RATE, FAULT_SLOW_RATE and FAULT_SLOW_DELAY; unset means no faults.
func faultsFromEnv() (*faults, error) {
	errorRate, err := envRate("FAULT_ERROR_RATE")
	if err != nil {
		return nil, err
	}
	slowRate, err := envRate("FAULT_SLOW_RATE")
	if err != nil {
		return nil, err
	}
	var delay time.Duration
	if text := os.Getenv("FAULT_SLOW_DELAY"); text != "" {
		delay, err = time.ParseDuration(text)
		if err != nil || delay < 0 {
			return nil, fmt.Errorf("FAULT_SLOW_DELAY=%q is not a duration like 500ms", text)
		}
	}
	if slowRate > 0 && delay == 0 {
		return nil, fmt.Errorf("FAULT_SLOW_RATE=%s needs FAULT_SLOW_DELAY, the time a slowed request waits (e.g. 500ms)",
			os.Getenv("FAULT_SLOW_RATE"))
	}
	return &faults{errorRate: errorRate, slowRate: slowRate, slowDelay: delay}, nil
}

func (f *faults) active() bool { return f != nil && (f.errorRate > 0 || f.slowRate > 0) }

// due is floor(n × rate); the epsilon keeps 10 × 0.1 from landing just below 1 in floating point.
func due(n int, rate float64) int { return int(math.Floor(float64(n)*rate + 1e-9)) }

// draw decides one request: whether it fails and whether it waits first.
func (f *faults) draw() (fail, slow bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests++
	if fail = due(f.requests, f.errorRate) > f.failed; fail {
		f.failed++
	}
	if slow = due(f.requests, f.slowRate) > f.slowed; slow {
		f.slowed++
	}
	return fail, slow
}

// wrap serves next, with the faults applied to every request outside /healthz/.
func (f *faults) wrap(next http.Handler) http.Handler {
	if !f.active() {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/healthz/") {
			next.ServeHTTP(w, r)
			return
		}
		fail, slow := f.draw()
		if slow {
			select {
			case <-time.After(f.slowDelay):
			case <-r.Context().Done():
				return
			}
		}
		if fail {
			writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "injected fault (FAULT_ERROR_RATE)"})
			return
		}
		next.ServeHTTP(w, r)
	})
}
