-- Tokens this service created and keeps (non-ephemeral ones). The SQLite counterpart of
-- migrations/postgres/2025-11-27-100100_create_tokens, with the types of the files migration:
-- instants as INTEGER microseconds since the Unix epoch, bytea as BLOB, jsonb as JSON text,
-- smallint as an INTEGER in smallint's range.
CREATE TABLE tokens (
    id                          TEXT    NOT NULL PRIMARY KEY,
    created_by                  TEXT    NOT NULL,
    created_by_device           TEXT    NOT NULL,
    -- The TokenContentFile JSON ({"@type","fileId","secretKey":{"key","alg"}}). JSON rather
    -- than columns because enmeshed tokens carry other content types too (templates, …).
    content                     TEXT    NOT NULL
                                        CHECK (json_valid(content) AND json_type(content) = 'object'),
    created_at                  INTEGER NOT NULL,
    expires_at                  INTEGER NOT NULL,
    for_identity                TEXT,
    -- The raw 32 bytes of the key the content is encrypted with.
    secret_key                  BLOB    NOT NULL CHECK (length(secret_key) = 32),
    -- In clear text on purpose: the owner's Token DTO shows it.
    password                    TEXT,
    password_type               TEXT,
    password_salt               BLOB    CHECK (length(password_salt) = 16),
    password_location_indicator INTEGER CHECK (password_location_indicator BETWEEN -32768 AND 32767),
    -- A protection is either complete or absent; the indicator is optional within it.
    CONSTRAINT tokens_password_all_or_none CHECK (
        (password IS NULL AND password_type IS NULL AND password_salt IS NULL
            AND password_location_indicator IS NULL)
        OR (password IS NOT NULL AND password_type IS NOT NULL AND password_salt IS NOT NULL)
    )
) STRICT, WITHOUT ROWID;

-- "Tokens of this File" (listing, revoking when a File is deleted) and purging expired tokens.
CREATE INDEX tokens_content_file_id_idx ON tokens (json_extract(content, '$.fileId'));
CREATE INDEX tokens_expires_at_idx ON tokens (expires_at);
