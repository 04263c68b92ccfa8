ALTER TABLE tokens DROP CONSTRAINT tokens_content_check;
ALTER TABLE tokens ALTER COLUMN content TYPE jsonb USING content::jsonb;
ALTER TABLE tokens ADD CONSTRAINT tokens_content_check CHECK (jsonb_typeof(content) = 'object');
CREATE INDEX tokens_content_file_id_idx ON tokens ((content ->> 'fileId'));
-- Peers' tokens cannot be kept without the column: they are forgotten.
DROP INDEX tokens_is_own_created_at_idx;
DELETE FROM tokens WHERE NOT is_own;
ALTER TABLE tokens DROP COLUMN is_own;
