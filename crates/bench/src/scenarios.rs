//! The scenarios of issue 6 (tokens, S…) and issue 17 (files, F…) and the requests they send.

use std::fmt;
use std::str::FromStr;

use anyhow::bail;
use domain::file::MAX_PLAINTEXT_LEN;
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
    /// Upload of 1 MiB: `POST /api/v2/Files/Own`.
    F1,
    /// Upload of the largest content the Backbone takes ([`LARGEST_FILE`]).
    F2,
    /// Download of 1 MiB: `GET /api/v2/Files/{id}/Download`.
    F3,
    /// Download of the largest content.
    F4,
    /// F2 on exactly [`F5_CONNECTIONS`] connections, judged on the connector's peak RSS.
    F5,
}

/// 1 MiB of content.
pub const MIB: usize = 1024 * 1024;

/// The issue's "10 MiB" file: the Backbone takes at most 10 MiB of *uploaded* bytes, the
/// content's cipher JSON, a third larger than the content; so the largest File is 7.5 MiB
/// of content whose upload is exactly 10 MiB. A 10 MiB content is refused with a 400 before
/// anything is sent.
pub const LARGEST_FILE: usize = MAX_PLAINTEXT_LEN;

/// The concurrent uploads of F5 (issue 17: "8 concurrent 10 MiB uploads").
pub const F5_CONNECTIONS: u32 = 8;

/// Which way a file scenario moves content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transfer {
    Upload,
    Download,
}

/// What a file scenario moves: the direction and the content's size in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileLoad {
    pub transfer: Transfer,
    pub bytes: usize,
}

impl Scenario {
    pub const ALL: [Self; 10] = [
        Self::S1,
        Self::S2,
        Self::S3,
        Self::S4,
        Self::S1Info,
        Self::F1,
        Self::F2,
        Self::F3,
        Self::F4,
        Self::F5,
    ];

    /// The JSON body the connector gets in a token scenario.
    ///
    /// # Panics
    /// For a file scenario, which sends no JSON ([`Self::file_load`]).
    pub fn body(self) -> &'static str {
        match self {
            Self::S1 | Self::S1Info | Self::S4 => r#"{"ephemeral":true}"#,
            Self::S2 => r#"{"ephemeral":false}"#,
            Self::S3 => concat!(
                r#"{"ephemeral":true,"passwordProtection":{"password":""#,
                "correct horse battery staple",
                r#""}}"#
            ),
            Self::F1 | Self::F2 | Self::F3 | Self::F4 | Self::F5 => {
                panic!("{self} sends a file, not a JSON body")
            }
        }
    }

    /// What a file scenario moves; `None` for the token scenarios.
    pub fn file_load(self) -> Option<FileLoad> {
        let (transfer, bytes) = match self {
            Self::F1 => (Transfer::Upload, MIB),
            Self::F2 | Self::F5 => (Transfer::Upload, LARGEST_FILE),
            Self::F3 => (Transfer::Download, MIB),
            Self::F4 => (Transfer::Download, LARGEST_FILE),
            Self::S1 | Self::S2 | Self::S3 | Self::S4 | Self::S1Info => return None,
        };
        Some(FileLoad { transfer, bytes })
    }

    /// The concurrencies this scenario runs at: F5 only at its own, the other file scenarios
    /// at `files`, the token scenarios at `tokens`.
    pub fn concurrencies<'a>(self, tokens: &'a [u32], files: &'a [u32]) -> &'a [u32] {
        match self {
            Self::F5 => &[F5_CONNECTIONS],
            _ if self.file_load().is_some() => files,
            _ => tokens,
        }
    }

    /// The floor's route for this scenario, if it has a floor service.
    pub fn floor_path(self) -> Option<&'static str> {
        match self {
            Self::S1 => Some("/floor/s1"),
            Self::S2 => Some("/floor/s2"),
            Self::F1 | Self::F2 | Self::F5 => Some("/floor/upload"),
            Self::F3 | Self::F4 => Some("/floor/download"),
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
            Self::F1 => "F1",
            Self::F2 => "F2",
            Self::F3 => "F3",
            Self::F4 => "F4",
            Self::F5 => "F5",
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
            "f1" => Self::F1,
            "f2" => Self::F2,
            "f3" => Self::F3,
            "f4" => Self::F4,
            "f5" => Self::F5,
            _ => bail!("unknown scenario {text} (s1, s2, s3, s4, s1+info, f1, f2, f3, f4, f5)"),
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
    fn the_largest_file_is_what_the_backbone_takes_once_encrypted() {
        let upload = Scenario::F2.file_load().unwrap();
        assert_eq!(
            domain::file::uploaded_content_len(upload.bytes),
            domain::file::MAX_UPLOADED_CONTENT_LEN
        );
        assert_eq!(Scenario::F5.file_load(), Some(upload));
        assert_eq!(Scenario::F5.concurrencies(&[1], &[1, 4]), &[8]);
        assert_eq!(Scenario::F3.concurrencies(&[1], &[1, 4]), &[1, 4]);
    }

    #[test]
    fn scenarios_parse_by_name() {
        for scenario in Scenario::ALL {
            assert_eq!(scenario.to_string().parse::<Scenario>().unwrap(), scenario);
        }
    }
}
