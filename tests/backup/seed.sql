-- Data the round trip must carry unchanged: many types, NULLs, non-ASCII text, binary data,
-- a foreign key, a view and sequences that have moved on (a restore must keep their positions).
CREATE TABLE customers (
  id         bigserial PRIMARY KEY,
  name       text NOT NULL,
  email      text UNIQUE,
  created_at timestamptz NOT NULL,
  balance    numeric(12, 2),
  tags       text[],
  profile    jsonb,
  avatar     bytea
);
CREATE TABLE orders (
  id          bigserial PRIMARY KEY,
  customer_id bigint NOT NULL REFERENCES customers (id),
  placed_on   date NOT NULL,
  amount      numeric(10, 2) NOT NULL,
  note        text
);
CREATE INDEX orders_customer ON orders (customer_id);
CREATE VIEW customer_totals AS
  SELECT c.id, c.name, sum(o.amount) AS total FROM customers c JOIN orders o ON o.customer_id = c.id GROUP BY c.id, c.name;

INSERT INTO customers (name, email, created_at, balance, tags, profile, avatar)
SELECT
  CASE WHEN i % 7 = 0 THEN 'Zoë Ångström ' || i ELSE 'customer ' || i END,
  CASE WHEN i % 11 = 0 THEN NULL ELSE 'c' || i || '@example.com' END,
  timestamptz '2026-01-01 00:00:00+00' + i * interval '37 minutes',
  round((i * 13.37) % 100000, 2),
  ARRAY['tier-' || i % 3, 'region-' || i % 5],
  jsonb_build_object('visits', i % 97, 'newsletter', i % 2 = 0, 'note', repeat('x', i % 13)),
  decode(md5(i::text), 'hex')
FROM generate_series(1, 5000) AS i;

INSERT INTO orders (customer_id, placed_on, amount, note)
SELECT 1 + (i * 7919) % 5000, date '2026-01-01' + i % 300, round((i * 3.14159) % 1000, 2),
       CASE WHEN i % 5 = 0 THEN NULL ELSE 'order line ' || i || E'\twith tab' END
FROM generate_series(1, 20000) AS i;

-- Deleted rows leave a gap: the sequence is ahead of max(id).
DELETE FROM orders WHERE id > 19990;
