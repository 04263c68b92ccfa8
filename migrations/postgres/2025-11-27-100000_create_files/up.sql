-- Files this service knows: its own uploads and peers' files it loaded. One column per field
-- of `domain::File`; the domain validates ids and addresses when a row is read back, so the
-- checks here only guard what the domain cannot express in a row (lengths, signs, NULLs).
CREATE TABLE files (
    id                  text        PRIMARY KEY,
    -- The raw 32 bytes of the metadata key (the domain renders base64url when needed).
    secret_key          bytea       NOT NULL CHECK (octet_length(secret_key) = 32),
    owner               text        NOT NULL,
    created_at          timestamptz NOT NULL,
    created_by          text        NOT NULL,
    created_by_device   text        NOT NULL,
    expires_at          timestamptz NOT NULL,
    filename            text        NOT NULL,
    filesize            bigint      NOT NULL CHECK (filesize >= 0),
    mimetype            text        NOT NULL,
    title               text,
    description         text,
    -- A NULL element would not map to the domain's Vec<String>.
    tags                text[]      NOT NULL DEFAULT '{}' CHECK (array_position(tags, NULL) IS NULL),
    ownership_token     text,
    ownership_is_locked boolean     NOT NULL DEFAULT false,
    is_own              boolean     NOT NULL
);

-- Listing an identity's own Files and purging expired ones are the next queries to come.
CREATE INDEX files_owner_created_at_idx ON files (owner, created_at);
CREATE INDEX files_expires_at_idx ON files (expires_at);
