//! The challenge the identity key signs to prove its possession when the identity is created.

use chrono::{DateTime, Utc};

use crate::date::format_date;
use crate::ids::ChallengeId;

/// A challenge as `POST /api/v2/Challenges` returns it (`createdBy` and `createdByDevice` are
/// `null` on the anonymous onboarding path, so they are not kept).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    pub id: ChallengeId,
    pub expires_at: DateTime<Utc>,
}

impl Challenge {
    /// The string that is signed and sent as `signedChallenge.challenge`, exactly as the runtime
    /// serialises it: `{"expiresAt":"<UTC, 3 ms digits, Z>","id":"CHL…","type":"Identity"}`,
    /// keys sorted, no spaces, finer digits cut off.
    ///
    /// The Backbone reads only `id` from it, but it verifies the signature over these exact
    /// bytes, and matching the official client keeps the two interchangeable.
    pub fn signing_string(&self) -> String {
        // Neither value can need JSON escaping: the id is alphanumeric, the date fixed-format.
        format!(
            r#"{{"expiresAt":"{}","id":"{}","type":"Identity"}}"#,
            format_date(self.expires_at),
            self.id
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::date::parse_iso8601;

    fn challenge(expires_at: &str) -> Challenge {
        Challenge {
            id: ChallengeId::parse("CHLtestChallenge0001").unwrap(),
            expires_at: parse_iso8601(expires_at).unwrap(),
        }
    }

    #[test]
    fn the_expiry_is_rendered_in_utc_with_exactly_three_fraction_digits() {
        for (given, rendered) in [
            ("2025-01-01T12:10:00.123Z", "2025-01-01T12:10:00.123Z"),
            ("2025-01-01T12:10:00.1234567Z", "2025-01-01T12:10:00.123Z"),
            ("2025-01-01T12:10:00Z", "2025-01-01T12:10:00.000Z"),
            ("2025-01-01T13:10:00.123+01:00", "2025-01-01T12:10:00.123Z"),
        ] {
            assert_eq!(
                challenge(given).signing_string(),
                format!(
                    r#"{{"expiresAt":"{rendered}","id":"CHLtestChallenge0001","type":"Identity"}}"#
                ),
                "{given}"
            );
        }
    }
}
