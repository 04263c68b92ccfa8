//! Challenges: what a client signs to prove it holds an identity key. Two modules of the
//! Backbone read them with two expiry rules, and housekeeping forgets them a month later.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};

use super::Caller;
use crate::ids::{ChallengeId, DeviceId, IdentityAddress};

/// `expiresAt` = creation + 10 minutes.
pub const CHALLENGE_LIFETIME: Duration = Duration::minutes(10);
/// `GET /api/v2/Challenges/{id}` keeps answering this long after expiry.
const READABLE_AFTER_EXPIRY: Duration = Duration::hours(1);
/// The Backbone's housekeeping deletes challenges this long after expiry.
const KEPT_AFTER_EXPIRY: Duration = Duration::days(30);

/// A challenge as the Backbone stores it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    pub id: ChallengeId,
    pub expires_at: DateTime<Utc>,
    /// The caller that asked for it; `None` when anonymous (as during onboarding).
    pub created_by: Option<IdentityAddress>,
    pub created_by_device: Option<DeviceId>,
}

impl Challenge {
    /// The Challenges module's rule (`GET`): expired only once an hour has passed since
    /// `expiresAt`.
    pub fn is_readable(&self, now: DateTime<Utc>) -> bool {
        self.expires_at > now - READABLE_AFTER_EXPIRY
    }

    /// The Devices module's rule (`POST /api/v2/Identities`): expired as soon as `expiresAt`
    /// has passed, with no grace period.
    pub fn has_expired(&self, now: DateTime<Utc>) -> bool {
        self.expires_at < now
    }
}

/// All challenges, in creation order.
#[derive(Debug, Default)]
pub struct ChallengeStore {
    challenges: HashMap<String, (u64, Challenge)>,
    next_sequence: u64,
}

impl ChallengeStore {
    /// A new challenge for `caller` (anonymous if `None`), expiring in 10 minutes. Challenges
    /// housekeeping would have deleted are dropped on the way, so the store stays small.
    pub fn create(&mut self, caller: Option<&Caller>, now: DateTime<Utc>) -> Challenge {
        self.forget_old(now);
        let id = loop {
            let id = ChallengeId::random();
            if !self.challenges.contains_key(id.as_str()) {
                break id;
            }
        };
        let challenge = Challenge {
            id,
            expires_at: now + CHALLENGE_LIFETIME,
            created_by: caller.map(|c| c.address.clone()),
            created_by_device: caller.map(|c| c.device_id.clone()),
        };
        self.insert(challenge.clone());
        challenge
    }

    /// Adds `challenge`, replacing one with the same id (state file, test hook).
    pub fn insert(&mut self, challenge: Challenge) {
        self.next_sequence += 1;
        let sequence = match self.challenges.get(challenge.id.as_str()) {
            Some((sequence, _)) => *sequence,
            None => self.next_sequence,
        };
        self.challenges
            .insert(challenge.id.as_str().to_owned(), (sequence, challenge));
    }

    /// The challenge with exactly this id (the Backbone compares ids as stored).
    pub fn get(&self, id: &str) -> Option<&Challenge> {
        self.challenges.get(id).map(|(_, challenge)| challenge)
    }

    pub fn len(&self) -> usize {
        self.challenges.len()
    }

    pub fn is_empty(&self) -> bool {
        self.challenges.is_empty()
    }

    /// All challenges, oldest first.
    pub fn all(&self) -> Vec<Challenge> {
        let mut all: Vec<&(u64, Challenge)> = self.challenges.values().collect();
        all.sort_by_key(|(sequence, _)| *sequence);
        all.into_iter().map(|(_, c)| c.clone()).collect()
    }

    fn forget_old(&mut self, now: DateTime<Utc>) {
        self.challenges
            .retain(|_, (_, challenge)| challenge.expires_at > now - KEPT_AFTER_EXPIRY);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_challenge_lives_ten_minutes_and_stays_readable_an_hour_longer() {
        let mut store = ChallengeStore::default();
        let now = Utc::now();
        let challenge = store.create(None, now);
        assert_eq!(challenge.expires_at, now + Duration::minutes(10));
        assert_eq!(challenge.created_by, None);
        let expiry = challenge.expires_at;
        assert!(!challenge.has_expired(expiry));
        assert!(challenge.has_expired(expiry + Duration::milliseconds(1)));
        assert!(challenge.is_readable(expiry + Duration::minutes(59)));
        assert!(!challenge.is_readable(expiry + Duration::hours(1)));
        assert_eq!(store.get(challenge.id.as_str()), Some(&challenge));
        assert_eq!(store.get(&challenge.id.as_str().to_lowercase()), None);
    }

    #[test]
    fn housekeeping_forgets_challenges_a_month_after_expiry() {
        let mut store = ChallengeStore::default();
        let now = Utc::now();
        let old = store.create(None, now);
        let kept = store.create(None, now + Duration::days(29));
        let later = now + Duration::days(30) + Duration::minutes(10);
        let newest = store.create(None, later);
        assert_eq!(store.all(), [kept, newest]);
        assert!(store.get(old.id.as_str()).is_none());
    }
}
