-- This service's own enmeshed identity and its first device (identity-onboarding.md §3): at
-- most one row, shared by every instance using this database. The secrets (both Ed25519 seeds
-- and the device password) are never stored in clear: `sealed_secrets` is their
-- XChaCha20-Poly1305 sealing under the configured secrets key, bound to the row's address
-- (adapters-diesel `sealed.rs`), so this table alone reveals no secret.
CREATE TABLE identity (
    address                text        PRIMARY KEY,
    -- The identity's raw 32-byte Ed25519 public key (the address is derived from it).
    public_key             bytea       NOT NULL CHECK (octet_length(public_key) = 32),
    -- Format version, nonce, ciphertext and tag; opened only by the repository.
    sealed_secrets         bytea       NOT NULL,
    -- The device the Backbone created with the identity: NULL until its answer is stored (the
    -- keys are stored before the Backbone is asked, §1.9).
    device_id              text,
    device_username        text,
    device_created_at      timestamptz,
    datawallet_initialized boolean     NOT NULL DEFAULT false,
    updated_at             timestamptz NOT NULL,
    CONSTRAINT identity_device_all_or_none CHECK (
        (device_id IS NULL AND device_username IS NULL AND device_created_at IS NULL)
        OR (device_id IS NOT NULL AND device_username IS NOT NULL
            AND device_created_at IS NOT NULL)
    )
);

-- At most one row: every row has the same key in this index, so a second one is a unique
-- violation, also between concurrent transactions.
CREATE UNIQUE INDEX identity_one_row ON identity ((true));
