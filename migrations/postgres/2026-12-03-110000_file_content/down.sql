-- Back to Files without content. This forgets how to open uploaded and loaded Files, which the
-- release before this migration could not download anyway; every value dropped here is also in
-- the Backbone's record of the File (the key and plaintext hash in its metadata, opened with
-- `secret_key`) while the File lives there.
ALTER TABLE files
    DROP CONSTRAINT files_content_all_or_none,
    DROP COLUMN cipher_key,
    DROP COLUMN cipher_hash,
    DROP COLUMN plaintext_hash,
    DROP COLUMN owner_signature;
