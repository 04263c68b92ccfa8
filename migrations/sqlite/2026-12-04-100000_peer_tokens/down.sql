-- Peers' tokens cannot be kept without the column: they are forgotten.
DROP INDEX tokens_is_own_created_at_idx;
DELETE FROM tokens WHERE is_own = 0;
ALTER TABLE tokens DROP COLUMN is_own;
