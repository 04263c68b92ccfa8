//! The device password rules of ASP.NET Identity as the Backbone configures them
//! (`AddCustomIdentity`): production rules everywhere except Development and Local.

use std::fmt;
use std::str::FromStr;

/// Which of the Backbone's two password configurations applies to new devices.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum PasswordPolicy {
    /// At least 10 characters with an upper-case letter, a lower-case letter, a digit and a
    /// non-alphanumeric character. What every deployed Backbone enforces.
    #[default]
    Production,
    /// At least 1 character: the Backbone in its Development/Local environment, which its own
    /// integration tests run against (they use the password `someDevicePassword`).
    Development,
}

impl PasswordPolicy {
    /// ASP.NET Identity's `PasswordValidator`, rule by rule in its order; the error is the
    /// description of the first rule broken, which the Backbone passes on as the message.
    /// Lengths count UTF-16 code units and the character classes are ASCII, as in .NET.
    ///
    /// # Errors
    /// The description of the first rule `password` breaks.
    pub fn check(self, password: &str) -> Result<(), String> {
        let min_length = match self {
            Self::Production => 10,
            Self::Development => 1,
        };
        if password.encode_utf16().count() < min_length {
            return Err(format!(
                "Passwords must be at least {min_length} characters."
            ));
        }
        if self == Self::Development {
            return Ok(());
        }
        let has = |class: fn(&char) -> bool| password.chars().any(|c| class(&c));
        if !has(|c| !c.is_ascii_alphanumeric()) {
            return Err("Passwords must have at least one non alphanumeric character.".to_owned());
        }
        if !has(char::is_ascii_digit) {
            return Err("Passwords must have at least one digit ('0'-'9').".to_owned());
        }
        if !has(char::is_ascii_lowercase) {
            return Err("Passwords must have at least one lowercase ('a'-'z').".to_owned());
        }
        if !has(char::is_ascii_uppercase) {
            return Err("Passwords must have at least one uppercase ('A'-'Z').".to_owned());
        }
        Ok(())
    }
}

impl fmt::Display for PasswordPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Production => "production",
            Self::Development => "development",
        })
    }
}

impl FromStr for PasswordPolicy {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "production" => Ok(Self::Production),
            "development" => Ok(Self::Development),
            _ => Err(format!(
                "'{s}' is no password policy (production or development)"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn production_rules_apply_in_asp_net_identitys_order() {
        let production = PasswordPolicy::Production;
        for (password, expected) in [
            ("", "Passwords must be at least 10 characters."),
            ("Ab1!", "Passwords must be at least 10 characters."),
            (
                "Abcdefghi1",
                "Passwords must have at least one non alphanumeric character.",
            ),
            (
                "Abcdefghi!",
                "Passwords must have at least one digit ('0'-'9').",
            ),
            (
                "ABCDEFGH1!",
                "Passwords must have at least one lowercase ('a'-'z').",
            ),
            (
                "abcdefgh1!",
                "Passwords must have at least one uppercase ('A'-'Z').",
            ),
        ] {
            assert_eq!(
                production.check(password),
                Err(expected.to_owned()),
                "{password:?}"
            );
        }
        assert_eq!(production.check("Abcdefgh1!"), Ok(()));
        // Letters outside ASCII are not letters to ASP.NET Identity: they count as special.
        assert_eq!(production.check("Abcdefgh1ä"), Ok(()));
        // The runtime's generated passwords always pass.
        assert_eq!(
            production.check("Zx7!kQ2pLm9#Rt4vWy8-Hj3nBc6:Df5gSa1?Ke2uPo7.Xw9"),
            Ok(())
        );
    }

    #[test]
    fn development_needs_one_character() {
        let development = PasswordPolicy::Development;
        assert_eq!(development.check("someDevicePassword"), Ok(()));
        assert_eq!(development.check("x"), Ok(()));
        assert_eq!(
            development.check(""),
            Err("Passwords must be at least 1 characters.".to_owned())
        );
        assert_eq!("Development".parse(), Ok(development));
        assert!("lax".parse::<PasswordPolicy>().is_err());
    }
}
