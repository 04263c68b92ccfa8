//! The scenarios of issue 6 and the requests they send.

use std::fmt;
use std::str::FromStr;

use anyhow::bail;
use serde::Serialize;

/// The password of S3 (a password, not a PIN: hashed the same way); `body` spells it out
/// because `concat!` takes only literals.
pub const PASSWORD: &str = "correct horse battery staple";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Scenario {
    /// Ephemeral token, no password: SELECT, Backbone POST, answer.
    S1,
    /// Stored token: S1 plus one INSERT.
    S2,
    /// Password-protected (ephemeral) token: S1 plus one Argon2id hash.
    S3,
    /// 90 % of the connections send S1, 10 % (at least one) send S3.
    S4,
    /// S1 with the connector logging at `info` (one line per request), to price logging.
    S1Info,
}

impl Scenario {
    pub const ALL: [Self; 5] = [Self::S1, Self::S2, Self::S3, Self::S4, Self::S1Info];

    /// The body the connector gets.
    pub fn body(self) -> &'static str {
        match self {
            Self::S1 | Self::S1Info | Self::S4 => r#"{"ephemeral":true}"#,
            Self::S2 => r#"{"ephemeral":false}"#,
            Self::S3 => concat!(
                r#"{"ephemeral":true,"passwordProtection":{"password":""#,
                "correct horse battery staple",
                r#""}}"#
            ),
        }
    }

    /// The floor's route for this scenario, if it has a floor service.
    pub fn floor_path(self) -> Option<&'static str> {
        match self {
            Self::S1 => Some("/floor/s1"),
            Self::S2 => Some("/floor/s2"),
            Self::S3 | Self::S4 | Self::S1Info => None,
        }
    }

    /// `RUST_LOG` of the connector in this scenario.
    pub fn log_level(self) -> &'static str {
        match self {
            Self::S1Info => "info",
            _ => "warn",
        }
    }
}

impl fmt::Display for Scenario {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::S1 => "S1",
            Self::S2 => "S2",
            Self::S3 => "S3",
            Self::S4 => "S4",
            Self::S1Info => "S1+info",
        })
    }
}

impl FromStr for Scenario {
    type Err = anyhow::Error;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Ok(match text.to_ascii_lowercase().as_str() {
            "s1" => Self::S1,
            "s2" => Self::S2,
            "s3" => Self::S3,
            "s4" => Self::S4,
            "s1+info" | "s1info" | "info" => Self::S1Info,
            _ => bail!("unknown scenario {text} (s1, s2, s3, s4, s1+info)"),
        })
    }
}

/// S4's connections: (S1 connections, S3 connections), 10 % rounded, at least one each.
/// `None` below 2 connections, where no split exists.
pub fn mixed_split(concurrency: u32) -> Option<(u32, u32)> {
    if concurrency < 2 {
        return None;
    }
    let password = concurrency.div_ceil(10).max(1);
    Some((concurrency - password, password))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_body_is_json_with_the_password() {
        let body: serde_json::Value = serde_json::from_str(Scenario::S3.body()).unwrap();
        assert_eq!(body["passwordProtection"]["password"], PASSWORD);
    }

    #[test]
    fn the_mix_gives_a_tenth_of_the_connections_to_passwords() {
        assert_eq!(mixed_split(1), None);
        assert_eq!(mixed_split(2), Some((1, 1)));
        assert_eq!(mixed_split(16), Some((14, 2)));
        assert_eq!(mixed_split(64), Some((57, 7)));
    }

    #[test]
    fn scenarios_parse_by_name() {
        for scenario in Scenario::ALL {
            assert_eq!(scenario.to_string().parse::<Scenario>().unwrap(), scenario);
        }
    }
}
