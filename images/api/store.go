package main

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// item is one row of the table behind /v1/items.
type item struct {
	ID      int64     `json:"id"`
	Name    string    `json:"name"`
	Created time.Time `json:"created"`
}

type store struct {
	dsn      string
	pool     *pgxpool.Pool
	migrated atomic.Bool
}

// openStore parses the URL now (a malformed POSTGRES_URL is a start-up error) but connects
// lazily: the process must start, and stay live, while PostgreSQL is still coming up.
func openStore(ctx context.Context, dsn string) (*store, error) {
	config, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("POSTGRES_URL: %w", err)
	}
	config.MaxConns = 4
	pool, err := pgxpool.NewWithConfig(ctx, config)
	if err != nil {
		return nil, fmt.Errorf("POSTGRES_URL: %w", err)
	}
	return &store{dsn: dsn, pool: pool}, nil
}

func (s *store) close() { s.pool.Close() }

// ready opens a fresh connection with the configured credentials (a pooled one would keep
// passing after the password changed), creates the table once and reads from it.
func (s *store) ready(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, s.dsn)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	if !s.migrated.Load() {
		if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS items (
			id bigserial PRIMARY KEY,
			name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
			created timestamptz NOT NULL DEFAULT now())`); err != nil {
			return err
		}
		s.migrated.Store(true)
	}
	_, err = conn.Exec(ctx, "SELECT 1 FROM items LIMIT 1")
	return err
}

func (s *store) list(ctx context.Context) ([]item, error) {
	rows, err := s.pool.Query(ctx, "SELECT id, name, created FROM items ORDER BY id")
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (item, error) {
		var it item
		err := row.Scan(&it.ID, &it.Name, &it.Created)
		return it, err
	})
}

func (s *store) add(ctx context.Context, name string) (item, error) {
	it := item{Name: name}
	err := s.pool.QueryRow(ctx, "INSERT INTO items (name) VALUES ($1) RETURNING id, created", name).Scan(&it.ID, &it.Created)
	return it, err
}
