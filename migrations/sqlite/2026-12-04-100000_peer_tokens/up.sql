-- The SQLite counterpart of migrations/postgres/2026-12-04-100000_peer_tokens: peers' tokens
-- beside own ones. SQLite cannot drop a column default, so the default stays; the repository
-- always writes the column.
ALTER TABLE tokens ADD COLUMN is_own INTEGER NOT NULL DEFAULT 1 CHECK (is_own IN (0, 1));
CREATE INDEX tokens_is_own_created_at_idx ON tokens (is_own, created_at, id);
