-- A token password may be any Unicode text, U+0000 included: the enmeshed runtime accepts it,
-- and so does our API. PostgreSQL's `text` cannot hold U+0000, so the column keeps the
-- password's UTF-8 bytes instead (the repository converts; SQLite's TEXT holds U+0000 as is).
ALTER TABLE tokens ALTER COLUMN password TYPE bytea USING convert_to(password, 'UTF8');
