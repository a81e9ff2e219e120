package main

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"
)

func writeJSON(w http.ResponseWriter, code int, body any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(body)
}

// routes: the health paths the chart's probes use and a JSON resource backed by the items table,
// with the injected faults (if any) applied.
func routes(db *store, m *metrics, f *faults, logger *slog.Logger) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz/live", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "live"})
	})
	mux.HandleFunc("GET /healthz/ready", func(w http.ResponseWriter, r *http.Request) {
		if err := db.ready(r.Context()); err != nil {
			m.setDatabaseUp(false)
			logger.Warn("not ready", slog.String("error", err.Error()))
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "database unreachable", "error": err.Error()})
			return
		}
		m.setDatabaseUp(true)
		writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	})
	mux.HandleFunc("GET /v1/items", func(w http.ResponseWriter, r *http.Request) {
		items, err := db.list(r.Context())
		if err != nil {
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": err.Error()})
			return
		}
		if items == nil {
			items = []item{}
		}
		writeJSON(w, http.StatusOK, map[string]any{"items": items})
	})
	mux.HandleFunc("POST /v1/items", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Name string `json:"name"`
		}
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096)).Decode(&body); err != nil || body.Name == "" || len(body.Name) > 200 {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": `body must be {"name": "<1-200 characters>"}`})
			return
		}
		it, err := db.add(r.Context(), body.Name)
		if err != nil {
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": err.Error()})
			return
		}
		writeJSON(w, http.StatusCreated, it)
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			writeJSON(w, http.StatusNotFound, map[string]string{"error": "no such resource"})
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"service": "acme-api", "resources": []string{"/v1/items"}})
	})
	return m.instrument(mux, f.wrap(mux), logger)
}

type recorder struct {
	http.ResponseWriter
	code int
}

func (r *recorder) WriteHeader(code int) {
	r.code = code
	r.ResponseWriter.WriteHeader(code)
}

// requestID is the caller's X-Request-Id when it is a sane token (the edge may set one), else a new one.
func requestID(r *http.Request) string {
	if id := r.Header.Get("X-Request-Id"); id != "" && len(id) <= 128 && strings.IndexFunc(id, invalidIDRune) < 0 {
		return id
	}
	var raw [16]byte
	_, _ = rand.Read(raw[:])
	return hex.EncodeToString(raw[:])
}

func invalidIDRune(c rune) bool { return c <= ' ' || c > '~' || c == '"' }

// route is the matched pattern without its method ("GET /v1/items" -> "/v1/items"): http.route.
func route(pattern string) string {
	if _, path, ok := strings.Cut(pattern, " "); ok {
		return path
	}
	if pattern == "" {
		return "none"
	}
	return pattern
}

// instrument serves every request through next and measures it by method, route (mux's pattern)
// and status code, injected faults included, and writes one JSON log line carrying its request
// id, which it also returns in X-Request-Id.
func (m *metrics) instrument(mux *http.ServeMux, next http.Handler, logger *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := requestID(r)
		w.Header().Set("X-Request-Id", id)
		rec := &recorder{ResponseWriter: w, code: http.StatusOK}
		_, pattern := mux.Handler(r)
		next.ServeHTTP(rec, r)
		took := time.Since(start)
		key := requestKey{method: r.Method, route: route(pattern), status: strconv.Itoa(rec.code)}
		m.observe(key, took)
		logger.LogAttrs(r.Context(), slog.LevelInfo, "request", slog.String("request_id", id),
			slog.String("method", key.method), slog.String("route", key.route), slog.String("path", r.URL.Path),
			slog.Int("status", rec.code), slog.Float64("duration_seconds", took.Seconds()))
	})
}
