-- Tokens of peers, loaded by reference (`POST /Tokens/Peer`), are kept beside own ones; their
-- content is any JSON object, not only a TokenContentFile.
-- Every token stored before was created here, hence the default for existing rows; new rows
-- always say which they are.
ALTER TABLE tokens ADD COLUMN is_own boolean NOT NULL DEFAULT true;
ALTER TABLE tokens ALTER COLUMN is_own DROP DEFAULT;
-- `GET /Tokens/Own` and `/Tokens/Peer` list one kind, by creation.
CREATE INDEX tokens_is_own_created_at_idx ON tokens (is_own, created_at, id);
-- A content is shown as it was written, its members in their order (the transport's
-- serialisation, MongoDB's documents): `json` keeps the text, `jsonb` sorts the keys. `json`
-- also holds what no PostgreSQL text can, a `\u0000` in a peer's content; reading a member out
-- of it (`->>`) fails on such a value, so the unused index on the File id goes.
DROP INDEX tokens_content_file_id_idx;
ALTER TABLE tokens DROP CONSTRAINT tokens_content_check;
ALTER TABLE tokens ALTER COLUMN content TYPE json USING content::json;
ALTER TABLE tokens ADD CONSTRAINT tokens_content_check CHECK (json_typeof(content) = 'object');
