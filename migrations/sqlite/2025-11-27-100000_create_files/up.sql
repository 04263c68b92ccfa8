-- Files this service knows: its own uploads and peers' files it loaded. The SQLite counterpart of
-- migrations/postgres/2025-11-27-100000_create_files: the same columns, checks and indexes, in
-- SQLite's types (STRICT, so a value of the wrong type is refused as PostgreSQL would):
-- - instants are INTEGER microseconds since 1970-01-01T00:00:00Z: PostgreSQL's precision, exact
--   round trips, and numeric order is time order (RFC 3339 text would need one fixed width for
--   that; the repository converts, so nobody writes this column by hand);
-- - bytea is BLOB, boolean is INTEGER 0 or 1, text[] is a JSON array of strings.
-- WITHOUT ROWID: the text id is the only key, so the row lives in the primary key's b-tree.
CREATE TABLE files (
    id                  TEXT    NOT NULL PRIMARY KEY,
    -- The raw 32 bytes of the metadata key (the domain renders base64url when needed).
    secret_key          BLOB    NOT NULL CHECK (length(secret_key) = 32),
    owner               TEXT    NOT NULL,
    created_at          INTEGER NOT NULL,
    created_by          TEXT    NOT NULL,
    created_by_device   TEXT    NOT NULL,
    expires_at          INTEGER NOT NULL,
    filename            TEXT    NOT NULL,
    filesize            INTEGER NOT NULL CHECK (filesize >= 0),
    mimetype            TEXT    NOT NULL,
    title               TEXT,
    description         TEXT,
    -- A JSON array. That every element is a string (PostgreSQL: no NULL element) cannot be a
    -- CHECK here (no subqueries in CHECKs); a row breaking it reads back as corrupt.
    tags                TEXT    NOT NULL DEFAULT '[]'
                                CHECK (json_valid(tags) AND json_type(tags) = 'array'),
    ownership_token     TEXT,
    ownership_is_locked INTEGER NOT NULL DEFAULT 0 CHECK (ownership_is_locked IN (0, 1)),
    is_own              INTEGER NOT NULL CHECK (is_own IN (0, 1))
) STRICT, WITHOUT ROWID;

-- Listing an identity's own Files and purging expired ones are the next queries to come.
CREATE INDEX files_owner_created_at_idx ON files (owner, created_at);
CREATE INDEX files_expires_at_idx ON files (expires_at);
