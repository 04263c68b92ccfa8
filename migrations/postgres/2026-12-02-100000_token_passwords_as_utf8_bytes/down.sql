-- Back to `text`. While a stored password holds U+0000 this fails and changes nothing (diesel
-- runs each migration in a transaction): reverting must not lose or alter a token.
ALTER TABLE tokens ALTER COLUMN password TYPE text USING convert_from(password, 'UTF8');
