// Command acme-api is the local cluster's stand-in for the Acme API: test infrastructure that
// behaves like the real service where the charts and smoke checks look (ports, health paths,
// database wiring, metrics), not the product.
//
// Logs: one JSON object per line on stdout, one per request with its request id (X-Request-Id).
//
// Environment: POSTGRES_URL (required), METRICS_URL (Pushgateway base URL; empty: no push),
// PORT (8080), METRICS_PORT (9090), PUSH_INTERVAL_SECONDS (15), DRAIN_SECONDS (25); injected faults
// for testing releases: FAULT_ERROR_RATE and FAULT_SLOW_RATE (fractions 0-1 of the requests that
// answer 500 or wait FAULT_SLOW_DELAY first, a Go duration; unset: none).
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintf(os.Stderr, "acme-api: %v\n", err)
		os.Exit(2)
	}
}

func envInt(name string, fallback int) (int, error) {
	text := os.Getenv(name)
	if text == "" {
		return fallback, nil
	}
	value, err := strconv.Atoi(text)
	if err != nil || value < 0 {
		return 0, fmt.Errorf("%s=%q is not a non-negative integer", name, text)
	}
	return value, nil
}

func run() error {
	dsn := os.Getenv("POSTGRES_URL")
	if dsn == "" {
		return errors.New("POSTGRES_URL is required (postgresql://user:password@host:port/database)")
	}
	port, err := envInt("PORT", 8080)
	if err != nil {
		return err
	}
	metricsPort, err := envInt("METRICS_PORT", 9090)
	if err != nil {
		return err
	}
	interval, err := envInt("PUSH_INTERVAL_SECONDS", 15)
	if err != nil {
		return err
	}
	drain, err := envInt("DRAIN_SECONDS", 25)
	if err != nil {
		return err
	}
	injected, err := faultsFromEnv()
	if err != nil {
		return err
	}
	// One JSON object per line on stdout: what a log shipper parses without a custom pipeline.
	logger := slog.New(slog.NewJSONHandler(os.Stdout, nil)).With(slog.String("service", "acme-api"))
	slog.SetDefault(logger)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()

	db, err := openStore(ctx, dsn)
	if err != nil {
		return err
	}
	defer db.close()
	metrics := newMetrics()
	app := &http.Server{Addr: net.JoinHostPort("", strconv.Itoa(port)), Handler: routes(db, metrics, injected, logger),
		ReadHeaderTimeout: 5 * time.Second}
	scrape := &http.Server{Addr: net.JoinHostPort("", strconv.Itoa(metricsPort)), Handler: metrics.handler(db),
		ReadHeaderTimeout: 5 * time.Second}
	errs := make(chan error, 2)
	for _, server := range []*http.Server{app, scrape} {
		go func(s *http.Server) {
			if err := s.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
				errs <- err
			}
		}(server)
	}
	if url := os.Getenv("METRICS_URL"); url != "" && interval > 0 {
		go metrics.pushLoop(ctx, url, time.Duration(interval)*time.Second, db)
	}
	logger.Info("serving", slog.Int("port", port), slog.Int("metrics_port", metricsPort))
	select {
	case err := <-errs:
		return err
	case <-ctx.Done():
	}
	// In-flight requests finish; the preStop sleep already took the pod out of the endpoints.
	logger.Info("draining", slog.Int("seconds", drain))
	shutdown, cancel := context.WithTimeout(context.Background(), time.Duration(drain)*time.Second)
	defer cancel()
	_ = scrape.Shutdown(shutdown)
	return app.Shutdown(shutdown)
}
