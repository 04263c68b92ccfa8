-- The `Idempotency-Key`s clients sent with creating requests (see
-- crates/server/src/http/idempotency), shared by every instance on this database: one row per
-- key of one API key, claimed by the first request with it, holding that request's answer once
-- it has one.
CREATE TABLE idempotency_keys (
    -- The id of the API key the request was authenticated with: clients never share keys.
    scope           text        NOT NULL,
    idempotency_key text        NOT NULL CHECK (octet_length(idempotency_key) BETWEEN 1 AND 255),
    -- SHA-256 over method, path with query and the body's SHA-256: no request data is kept.
    fingerprint     bytea       NOT NULL CHECK (octet_length(fingerprint) = 32),
    -- Who runs the request now; a claim taken over from a crashed instance changes hands.
    owner           text        NOT NULL,
    -- The first claim: the key is forgotten 24 hours after it.
    created_at      timestamptz NOT NULL,
    -- The claim or the latest takeover: a claim unanswered for long is taken over.
    claimed_at      timestamptz NOT NULL,
    -- The answer, all three set once the request answered, or none while it runs.
    status          smallint    CHECK (status BETWEEN 100 AND 599),
    -- A JSON array of [name, value] pairs: the headers the route set.
    headers         json        CHECK (json_typeof(headers) = 'array'),
    body            bytea,
    PRIMARY KEY (scope, idempotency_key),
    CONSTRAINT idempotency_keys_answer_all_or_none CHECK (
        (status IS NULL AND headers IS NULL AND body IS NULL)
        OR (status IS NOT NULL AND headers IS NOT NULL AND body IS NOT NULL)
    )
);

-- The purge of expired keys.
CREATE INDEX idempotency_keys_created_at_idx ON idempotency_keys (created_at);
