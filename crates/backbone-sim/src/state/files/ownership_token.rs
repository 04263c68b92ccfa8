//! The ownership token: the secret whose holder may claim a file (`FileOwnershipToken`).

use std::fmt;

use rand::Rng;

/// The characters of an ownership token (`FileOwnershipToken.ALLOWED_CHARACTERS`): letters,
/// digits and URL-significant punctuation, so it must be encoded in query strings.
pub const OWNERSHIP_TOKEN_ALPHABET: &[u8] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!@#$%^&*()_-+=<>?/{}[]|~";
/// Generated tokens have exactly this many characters; valid ones at most this many.
pub const OWNERSHIP_TOKEN_LEN: usize = 20;

/// The secret whose holder may claim a file's ownership.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct OwnershipToken(String);

impl OwnershipToken {
    /// 20 characters drawn from [`OWNERSHIP_TOKEN_ALPHABET`].
    pub fn random() -> Self {
        let mut rng = rand::thread_rng();
        Self(
            (0..OWNERSHIP_TOKEN_LEN)
                .map(|_| {
                    char::from(
                        OWNERSHIP_TOKEN_ALPHABET[rng.gen_range(0..OWNERSHIP_TOKEN_ALPHABET.len())],
                    )
                })
                .collect(),
        )
    }

    /// The Backbone's `IsValid`: not empty, at most 20 characters, all from the alphabet.
    pub fn is_valid(text: &str) -> bool {
        !text.is_empty()
            && text.chars().count() <= OWNERSHIP_TOKEN_LEN
            && text.bytes().all(|b| OWNERSHIP_TOKEN_ALPHABET.contains(&b))
    }

    /// Takes any text as a token; only [`Self::is_valid`] ones ever compare equal to a stored one.
    pub fn from_text(text: &str) -> Self {
        Self(text.to_owned())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Tests and the admin API show tokens; logs must not, so `Debug` hides them.
impl fmt::Debug for OwnershipToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("OwnershipToken(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ownership_tokens_are_valid_only_within_the_alphabet_and_length() {
        assert!(OwnershipToken::is_valid("AbC!@#$%^&*()_-+=<>?"));
        assert!(OwnershipToken::is_valid("/{}[]|~"));
        for bad in [
            "",
            "ownershipTokenWithMoreThan20Characters",
            "with space",
            "quote\"",
            "comma,",
            "dot.",
            "ä",
        ] {
            assert!(!OwnershipToken::is_valid(bad), "{bad:?}");
        }
    }

    #[test]
    fn random_tokens_have_twenty_characters_of_the_alphabet() {
        for _ in 0..100 {
            let token = OwnershipToken::random();
            assert_eq!(token.as_str().len(), OWNERSHIP_TOKEN_LEN);
            assert!(OwnershipToken::is_valid(token.as_str()));
        }
        assert_eq!(
            format!("{:?}", OwnershipToken::random()),
            "OwnershipToken(<redacted>)"
        );
    }
}
