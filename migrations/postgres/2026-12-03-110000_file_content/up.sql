-- What downloading a File needs (`domain::FileContent`), one column per field: the content key
-- the File's bytes are encrypted with, the two SHA-512 digests a download is checked against,
-- and the uploader's device signature. Nullable because Files stored before uploads existed
-- (the demo Files) have none; such a File reads back without content. Adding nullable columns
-- without a default rewrites no row.
ALTER TABLE files
    -- The raw 32 bytes of the content key (`cipherKey`), not the metadata key `secret_key`.
    ADD COLUMN cipher_key      bytea CHECK (octet_length(cipher_key) = 32),
    -- The raw SHA-512 digests: of the uploaded bytes, and of the plaintext.
    ADD COLUMN cipher_hash     bytea CHECK (octet_length(cipher_hash) = 64),
    ADD COLUMN plaintext_hash  bytea CHECK (octet_length(plaintext_hash) = 64),
    -- base64url, as the Backbone keeps it.
    ADD COLUMN owner_signature text,
    -- A File's content is either complete or absent.
    ADD CONSTRAINT files_content_all_or_none CHECK (
        (cipher_key IS NULL AND cipher_hash IS NULL AND plaintext_hash IS NULL
            AND owner_signature IS NULL)
        OR (cipher_key IS NOT NULL AND cipher_hash IS NOT NULL AND plaintext_hash IS NOT NULL
            AND owner_signature IS NOT NULL)
    );
