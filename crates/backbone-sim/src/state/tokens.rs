//! Tokens, their allocations and the rules that decide who may read or delete them.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::Caller;
use crate::ids::{DeviceId, IdentityAddress, TokenId};

/// A token's password is locked after this many wrong attempts.
pub const MAX_FAILED_ACCESS_ATTEMPTS: u32 = 100;
pub const MAX_PASSWORD_BYTES: usize = 200;
pub const MAX_CONTENT_BYTES: usize = 10 * 1024 * 1024;

/// A non-creator's first successful read of a token; it grants later reads without password,
/// even after expiry or locking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Allocation {
    pub allocated_by: IdentityAddress,
    pub allocated_by_device: DeviceId,
    pub allocated_at: DateTime<Utc>,
}

/// A token as the Backbone stores it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub id: TokenId,
    pub created_by: Option<IdentityAddress>,
    pub created_by_device: Option<DeviceId>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub content: Option<Vec<u8>>,
    pub for_identity: Option<IdentityAddress>,
    pub password: Option<Vec<u8>>,
    pub access_failed_count: u32,
    pub allocations: Vec<Allocation>,
    /// Creation order, to list tokens created within the same instant stably.
    pub(crate) sequence: u64,
}

/// The outcome of a read attempt, in the Backbone's terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Ok,
    AllocationAdded,
    WrongPassword,
    ForIdentityDoesNotMatch,
    Locked,
    Expired,
}

impl Access {
    pub fn is_granted(self) -> bool {
        matches!(self, Self::Ok | Self::AllocationAdded)
    }
}

impl Token {
    pub fn is_password_protected(&self) -> bool {
        self.password
            .as_ref()
            .is_some_and(|password| !password.is_empty())
    }

    pub fn is_locked(&self) -> bool {
        self.access_failed_count >= MAX_FAILED_ACCESS_ATTEMPTS
    }

    pub fn is_expired(&self, now: DateTime<Utc>) -> bool {
        self.expires_at < now
    }

    fn created_by_caller(&self, caller: Option<&Caller>) -> bool {
        // Anonymous reading an anonymously created token counts as its creator (none == none).
        self.created_by.as_ref() == caller.map(|c| &c.address)
    }

    fn allocated_for(&self, caller: Option<&Caller>) -> bool {
        caller.is_some_and(|c| self.allocations.iter().any(|a| a.allocated_by == c.address))
    }

    /// Whether `caller` may see this token in a list: it created it or holds an allocation.
    pub fn is_listed_for(&self, caller: &Caller) -> bool {
        self.created_by_caller(Some(caller)) || self.allocated_for(Some(caller))
    }

    /// One read attempt, in the Backbone's order: creator, allocation, expiry, lock, forIdentity,
    /// password (a wrong one counts), anonymous, otherwise allocate.
    pub fn try_to_access(
        &mut self,
        caller: Option<&Caller>,
        password: Option<&[u8]>,
        now: DateTime<Utc>,
    ) -> Access {
        if self.created_by_caller(caller) || self.allocated_for(caller) {
            return Access::Ok;
        }
        if self.is_expired(now) {
            return Access::Expired;
        }
        if self.is_locked() {
            return Access::Locked;
        }
        let caller_address = caller.map(|c| &c.address);
        let for_identity_matches =
            self.for_identity.is_none() || self.for_identity.as_ref() == caller_address;
        if !for_identity_matches {
            return Access::ForIdentityDoesNotMatch;
        }
        let password_correct = match &self.password {
            None => true,
            Some(expected) => password.is_some_and(|given| given == expected.as_slice()),
        };
        if !password_correct {
            self.access_failed_count += 1;
            return if self.is_locked() {
                Access::Locked
            } else {
                Access::WrongPassword
            };
        }
        let Some(caller) = caller else {
            return Access::Ok;
        };
        self.allocations.push(Allocation {
            allocated_by: caller.address.clone(),
            allocated_by_device: caller.device_id.clone(),
            allocated_at: now,
        });
        Access::AllocationAdded
    }
}

/// A validated request to create a token.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewToken {
    pub content: Option<Vec<u8>>,
    pub expires_at: DateTime<Utc>,
    pub for_identity: Option<IdentityAddress>,
    pub password: Option<Vec<u8>>,
}

/// Why a delete was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DeleteError {
    #[error("token not found")]
    NotFound,
    #[error("only the creator may delete a token")]
    Forbidden,
}

/// All tokens.
#[derive(Debug, Default)]
pub struct TokenStore {
    tokens: HashMap<TokenId, Token>,
    next_sequence: u64,
}

impl TokenStore {
    pub fn create(&mut self, new: NewToken, caller: Option<&Caller>, now: DateTime<Utc>) -> Token {
        let id = loop {
            // 62^17 ids make a collision practically impossible; the loop just makes it certain.
            let id = TokenId::random();
            if !self.tokens.contains_key(&id) {
                break id;
            }
        };
        self.next_sequence += 1;
        let token = Token {
            id: id.clone(),
            created_by: caller.map(|c| c.address.clone()),
            created_by_device: caller.map(|c| c.device_id.clone()),
            created_at: now,
            expires_at: new.expires_at,
            content: new.content,
            for_identity: new.for_identity,
            password: new.password,
            access_failed_count: 0,
            allocations: Vec::new(),
            sequence: self.next_sequence,
        };
        self.tokens.insert(id, token.clone());
        token
    }

    /// A read attempt; `None` if no such token exists. The token is returned as it is after the
    /// attempt (with a new allocation or failure count).
    pub fn access(
        &mut self,
        id: &TokenId,
        caller: Option<&Caller>,
        password: Option<&[u8]>,
        now: DateTime<Utc>,
    ) -> Option<(Access, Token)> {
        let token = self.tokens.get_mut(id)?;
        let access = token.try_to_access(caller, password, now);
        Some((access, token.clone()))
    }

    /// The tokens among `ids` that `caller` created or holds an allocation for, oldest first.
    /// Expired tokens are included, as on the Backbone.
    pub fn list_for(&self, ids: &[TokenId], caller: &Caller) -> Vec<Token> {
        let mut found: Vec<Token> = self
            .tokens
            .values()
            .filter(|token| ids.contains(&token.id) && token.is_listed_for(caller))
            .cloned()
            .collect();
        found.sort_by_key(|token| (token.created_at, token.sequence));
        found
    }

    /// # Errors
    /// [`DeleteError::NotFound`] for an unknown id, [`DeleteError::Forbidden`] unless `caller`
    /// created the token.
    pub fn delete(&mut self, id: &TokenId, caller: &Caller) -> Result<Token, DeleteError> {
        let token = self.tokens.get(id).ok_or(DeleteError::NotFound)?;
        if token.created_by.as_ref() != Some(&caller.address) {
            return Err(DeleteError::Forbidden);
        }
        self.tokens.remove(id).ok_or(DeleteError::NotFound)
    }

    pub fn get(&self, id: &TokenId) -> Option<&Token> {
        self.tokens.get(id)
    }

    pub fn len(&self) -> usize {
        self.tokens.len()
    }

    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }

    /// Puts back a token read from the state file, keeping its sequence number.
    pub(crate) fn restore(&mut self, token: Token) {
        self.next_sequence = self.next_sequence.max(token.sequence);
        self.tokens.insert(token.id.clone(), token);
    }

    /// All tokens, oldest first.
    pub fn all(&self) -> Vec<Token> {
        let mut all: Vec<Token> = self.tokens.values().cloned().collect();
        all.sort_by_key(|token| (token.created_at, token.sequence));
        all
    }
}

#[cfg(test)]
mod tests {
    use chrono::Duration;
    use sha2::Digest as _;

    use super::*;

    fn identity(n: u8) -> Caller {
        let without_checksum = format!("did:e:localhost:dids:{n:020x}");
        let checksum = format!("{:02x}", sha2::Sha256::digest(&without_checksum)[0]);
        Caller {
            address: IdentityAddress::parse(&format!("{without_checksum}{checksum}"))
                .expect("valid address"),
            device_id: DeviceId::parse(&format!("DVC{n:017}")).expect("valid device id"),
        }
    }

    fn token(
        creator: Option<&Caller>,
        for_identity: Option<&Caller>,
        password: Option<&[u8]>,
    ) -> (TokenStore, TokenId) {
        let mut store = TokenStore::default();
        let now = Utc::now();
        let new = NewToken {
            content: Some(b"content".to_vec()),
            expires_at: now + Duration::days(1),
            for_identity: for_identity.map(|c| c.address.clone()),
            password: password.map(<[u8]>::to_vec),
        };
        let id = store.create(new, creator, now).id;
        (store, id)
    }

    #[test]
    fn a_non_creator_read_allocates_and_later_reads_need_no_password() {
        let (i1, i2) = (identity(1), identity(2));
        let (mut store, id) = token(Some(&i1), None, Some(b"password"));
        let now = Utc::now();
        assert_eq!(
            store.access(&id, Some(&i2), None, now).map(|a| a.0),
            Some(Access::WrongPassword)
        );
        assert_eq!(
            store
                .access(&id, Some(&i2), Some(b"password"), now)
                .map(|a| a.0),
            Some(Access::AllocationAdded)
        );
        assert_eq!(
            store.access(&id, Some(&i2), None, now).map(|a| a.0),
            Some(Access::Ok)
        );
        let token = store.get(&id).expect("token exists");
        assert_eq!(token.allocations.len(), 1);
        assert_eq!(token.allocations[0].allocated_by, i2.address);
        assert_eq!(token.allocations[0].allocated_by_device, i2.device_id);
    }

    #[test]
    fn an_allocation_outlives_expiry_and_locking() {
        let (i1, i2, i3) = (identity(1), identity(2), identity(3));
        let (mut store, id) = token(Some(&i1), None, Some(b"password"));
        let now = Utc::now();
        assert!(
            store
                .access(&id, Some(&i2), Some(b"password"), now)
                .expect("exists")
                .0
                .is_granted()
        );
        for _ in 0..MAX_FAILED_ACCESS_ATTEMPTS {
            store.access(&id, Some(&i3), Some(b"wordpass"), now);
        }
        assert_eq!(
            store.access(&id, Some(&i2), None, now).map(|a| a.0),
            Some(Access::Ok)
        );
        let later = now + Duration::days(2);
        assert_eq!(
            store.access(&id, Some(&i2), None, later).map(|a| a.0),
            Some(Access::Ok)
        );
        assert_eq!(
            store.access(&id, Some(&i1), None, later).map(|a| a.0),
            Some(Access::Ok)
        );
        assert_eq!(
            store
                .access(&id, Some(&i3), Some(b"password"), later)
                .map(|a| a.0),
            Some(Access::Expired)
        );
    }

    #[test]
    fn the_hundredth_wrong_password_locks_the_token() {
        let (i1, i2) = (identity(1), identity(2));
        let (mut store, id) = token(Some(&i1), None, Some(b"password"));
        let now = Utc::now();
        for attempt in 1..MAX_FAILED_ACCESS_ATTEMPTS {
            let access = store.access(&id, None, Some(b"wordpass"), now).map(|a| a.0);
            assert_eq!(access, Some(Access::WrongPassword), "attempt {attempt}");
        }
        assert_eq!(
            store.access(&id, None, Some(b"wordpass"), now).map(|a| a.0),
            Some(Access::Locked)
        );
        assert_eq!(
            store
                .access(&id, Some(&i2), Some(b"password"), now)
                .map(|a| a.0),
            Some(Access::Locked)
        );
        assert_eq!(
            store.access(&id, Some(&i1), None, now).map(|a| a.0),
            Some(Access::Ok)
        );
        assert_eq!(
            store.get(&id).map(|t| t.access_failed_count),
            Some(MAX_FAILED_ACCESS_ATTEMPTS)
        );
    }

    #[test]
    fn anonymous_reads_never_allocate_and_anonymous_tokens_are_open_to_anonymous() {
        let i1 = identity(1);
        let (mut store, id) = token(Some(&i1), None, None);
        assert_eq!(
            store.access(&id, None, None, Utc::now()).map(|a| a.0),
            Some(Access::Ok)
        );
        assert!(store.get(&id).expect("exists").allocations.is_empty());

        let (mut store, id) = token(None, None, Some(b"password"));
        let long_after = Utc::now() + Duration::days(30);
        assert_eq!(
            store.access(&id, None, None, long_after).map(|a| a.0),
            Some(Access::Ok)
        );
    }

    #[test]
    fn only_the_creator_deletes() {
        let (i1, i2) = (identity(1), identity(2));
        let (mut store, id) = token(Some(&i1), None, None);
        assert_eq!(
            store.delete(&id, &i2).map(|t| t.id),
            Err(DeleteError::Forbidden)
        );
        assert_eq!(store.delete(&id, &i1).map(|t| t.id), Ok(id.clone()));
        assert_eq!(
            store.delete(&id, &i1).map(|t| t.id),
            Err(DeleteError::NotFound)
        );
        assert!(store.is_empty());
    }

    #[test]
    fn lists_hold_created_and_allocated_tokens_only() {
        let (i1, i2) = (identity(1), identity(2));
        let mut store = TokenStore::default();
        let now = Utc::now();
        let new = || NewToken {
            expires_at: now + Duration::days(1),
            ..NewToken::default()
        };
        let own = store.create(new(), Some(&i1), now).id;
        let foreign = store.create(new(), Some(&i2), now).id;
        let allocated = store.create(new(), Some(&i2), now).id;
        assert!(
            store
                .access(&allocated, Some(&i1), None, now)
                .expect("exists")
                .0
                .is_granted()
        );
        let ids = vec![own.clone(), foreign, allocated.clone()];
        let listed: Vec<TokenId> = store
            .list_for(&ids, &i1)
            .into_iter()
            .map(|t| t.id)
            .collect();
        assert_eq!(listed, vec![own, allocated]);
    }
}
