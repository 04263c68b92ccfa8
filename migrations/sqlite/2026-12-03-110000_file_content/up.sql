-- What downloading a File needs. The SQLite counterpart of
-- migrations/postgres/2026-12-03-110000_file_content: the same four nullable columns and checks,
-- in the types of the files migration (bytea as BLOB).
--
-- SQLite's ALTER TABLE cannot add a table constraint, so the table is rebuilt by the procedure
-- of https://www.sqlite.org/lang_altertable.html#otheralter: create the new table, copy every
-- row, drop the old table, rename the new one, recreate the indexes (no view or trigger uses
-- `files`). The runner applies this inside its transaction, so a failure leaves the old table.
-- Foreign key enforcement cannot be switched off within a transaction, and needs not be: no
-- foreign key refers to `files`, so dropping it deletes nothing elsewhere.
CREATE TABLE files_new (
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
    is_own              INTEGER NOT NULL CHECK (is_own IN (0, 1)),
    -- The raw 32 bytes of the content key (`cipherKey`), not the metadata key `secret_key`.
    cipher_key          BLOB    CHECK (length(cipher_key) = 32),
    -- The raw SHA-512 digests: of the uploaded bytes, and of the plaintext.
    cipher_hash         BLOB    CHECK (length(cipher_hash) = 64),
    plaintext_hash      BLOB    CHECK (length(plaintext_hash) = 64),
    -- base64url, as the Backbone keeps it.
    owner_signature     TEXT,
    -- A File's content is either complete or absent.
    CONSTRAINT files_content_all_or_none CHECK (
        (cipher_key IS NULL AND cipher_hash IS NULL AND plaintext_hash IS NULL
            AND owner_signature IS NULL)
        OR (cipher_key IS NOT NULL AND cipher_hash IS NOT NULL AND plaintext_hash IS NOT NULL
            AND owner_signature IS NOT NULL)
    )
) STRICT, WITHOUT ROWID;

-- Every File stored so far has no content: its new columns stay NULL.
INSERT INTO files_new (id, secret_key, owner, created_at, created_by, created_by_device,
                       expires_at, filename, filesize, mimetype, title, description, tags,
                       ownership_token, ownership_is_locked, is_own)
SELECT id, secret_key, owner, created_at, created_by, created_by_device, expires_at, filename,
       filesize, mimetype, title, description, tags, ownership_token, ownership_is_locked, is_own
FROM files;

DROP TABLE files;
ALTER TABLE files_new RENAME TO files;

-- The indexes of 2025-11-27-100000_create_files, dropped with the old table.
CREATE INDEX files_owner_created_at_idx ON files (owner, created_at);
CREATE INDEX files_expires_at_idx ON files (expires_at);
