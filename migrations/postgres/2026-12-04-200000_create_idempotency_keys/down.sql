-- Forgets every idempotency key: retries after the revert run anew, as before keys existed.
DROP TABLE idempotency_keys;
