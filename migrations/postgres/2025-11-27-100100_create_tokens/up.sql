-- Tokens this service created and keeps (non-ephemeral ones). One column per field of
-- `domain::Token`.
CREATE TABLE tokens (
    id                          text        PRIMARY KEY,
    created_by                  text        NOT NULL,
    created_by_device           text        NOT NULL,
    -- The TokenContentFile JSON ({"@type","fileId","secretKey":{"key","alg"}}). jsonb rather
    -- than columns because enmeshed tokens carry other content types too (templates, …).
    content                     jsonb       NOT NULL CHECK (jsonb_typeof(content) = 'object'),
    created_at                  timestamptz NOT NULL,
    expires_at                  timestamptz NOT NULL,
    for_identity                text,
    -- The raw 32 bytes of the key the content is encrypted with.
    secret_key                  bytea       NOT NULL CHECK (octet_length(secret_key) = 32),
    -- In clear text on purpose: the owner's Token DTO shows it.
    password                    text,
    password_type               text,
    password_salt               bytea       CHECK (octet_length(password_salt) = 16),
    password_location_indicator smallint,
    -- A protection is either complete or absent; the indicator is optional within it.
    CONSTRAINT tokens_password_all_or_none CHECK (
        (password IS NULL AND password_type IS NULL AND password_salt IS NULL
            AND password_location_indicator IS NULL)
        OR (password IS NOT NULL AND password_type IS NOT NULL AND password_salt IS NOT NULL)
    )
);

-- "Tokens of this File" (listing, revoking when a File is deleted) and purging expired tokens.
CREATE INDEX tokens_content_file_id_idx ON tokens ((content ->> 'fileId'));
CREATE INDEX tokens_expires_at_idx ON tokens (expires_at);
