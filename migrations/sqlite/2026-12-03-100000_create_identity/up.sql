-- This service's own enmeshed identity and its first device. The SQLite counterpart of
-- migrations/postgres/2026-12-03-100000_create_identity: the same columns, checks and one-row
-- index, in the types of the files migration (STRICT; instants as INTEGER microseconds since
-- the Unix epoch, bytea as BLOB, boolean as INTEGER 0 or 1). `sealed_secrets` holds the
-- secrets sealed under the configured secrets key (adapters-diesel `sealed.rs`), never in clear.
CREATE TABLE identity (
    address                TEXT    NOT NULL PRIMARY KEY,
    -- The identity's raw 32-byte Ed25519 public key (the address is derived from it).
    public_key             BLOB    NOT NULL CHECK (length(public_key) = 32),
    -- Format version, nonce, ciphertext and tag; opened only by the repository.
    sealed_secrets         BLOB    NOT NULL,
    -- The device the Backbone created with the identity: NULL until its answer is stored.
    device_id              TEXT,
    device_username        TEXT,
    device_created_at      INTEGER,
    datawallet_initialized INTEGER NOT NULL DEFAULT 0 CHECK (datawallet_initialized IN (0, 1)),
    updated_at             INTEGER NOT NULL,
    CONSTRAINT identity_device_all_or_none CHECK (
        (device_id IS NULL AND device_username IS NULL AND device_created_at IS NULL)
        OR (device_id IS NOT NULL AND device_username IS NOT NULL
            AND device_created_at IS NOT NULL)
    )
) STRICT, WITHOUT ROWID;

-- At most one row: every row has the same key in this index, so a second one is refused.
CREATE UNIQUE INDEX identity_one_row ON identity ((1));
