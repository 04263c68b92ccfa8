-- The `Idempotency-Key`s clients sent with creating requests. The SQLite counterpart of
-- migrations/postgres/2026-12-04-100000_create_idempotency_keys: the same columns and checks,
-- in the types of the files migration (timestamptz as INTEGER µs, bytea as BLOB, jsonb as TEXT).
-- A rowid table, unlike the others: a row holds a whole answer body, and SQLite advises
-- WITHOUT ROWID only for rows far smaller than a page.
CREATE TABLE idempotency_keys (
    -- The id of the API key the request was authenticated with: clients never share keys.
    scope           TEXT    NOT NULL,
    idempotency_key TEXT    NOT NULL
                            CHECK (length(CAST(idempotency_key AS BLOB)) BETWEEN 1 AND 255),
    -- SHA-256 over method, path with query and the body's SHA-256: no request data is kept.
    fingerprint     BLOB    NOT NULL CHECK (length(fingerprint) = 32),
    -- Who runs the request now; a claim taken over from a crashed instance changes hands.
    owner           TEXT    NOT NULL,
    -- The first claim: the key is forgotten 24 hours after it.
    created_at      INTEGER NOT NULL,
    -- The claim or the latest takeover: a claim unanswered for long is taken over.
    claimed_at      INTEGER NOT NULL,
    -- The answer, all three set once the request answered, or none while it runs.
    status          INTEGER CHECK (status BETWEEN 100 AND 599),
    -- A JSON array of [name, value] pairs: the headers the route set.
    headers         TEXT    CHECK (json_valid(headers) AND json_type(headers) = 'array'),
    body            BLOB,
    PRIMARY KEY (scope, idempotency_key),
    CONSTRAINT idempotency_keys_answer_all_or_none CHECK (
        (status IS NULL AND headers IS NULL AND body IS NULL)
        OR (status IS NOT NULL AND headers IS NOT NULL AND body IS NOT NULL)
    )
) STRICT;

-- The purge of expired keys.
CREATE INDEX idempotency_keys_created_at_idx ON idempotency_keys (created_at);
