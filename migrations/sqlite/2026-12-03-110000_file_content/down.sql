-- Back to Files without content, by the same rebuild as up.sql: the table exactly as
-- 2025-11-27-100000_create_files made it, every row copied but for its content columns, and its
-- indexes. This forgets how to open uploaded and loaded Files, which the release before this
-- migration could not download anyway; every value dropped here is also in the Backbone's record
-- of the File (the key and plaintext hash in its metadata, opened with `secret_key`) while the
-- File lives there. (ALTER TABLE DROP COLUMN refuses columns that a table CHECK names.)
CREATE TABLE files_old (
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

INSERT INTO files_old (id, secret_key, owner, created_at, created_by, created_by_device,
                       expires_at, filename, filesize, mimetype, title, description, tags,
                       ownership_token, ownership_is_locked, is_own)
SELECT id, secret_key, owner, created_at, created_by, created_by_device, expires_at, filename,
       filesize, mimetype, title, description, tags, ownership_token, ownership_is_locked, is_own
FROM files;

DROP TABLE files;
ALTER TABLE files_old RENAME TO files;

CREATE INDEX files_owner_created_at_idx ON files (owner, created_at);
CREATE INDEX files_expires_at_idx ON files (expires_at);
