//! Identities created through `POST /api/v2/Identities`, with the devices created for them.
//! Their logins live with the other device logins in [`crate::auth::Accounts`].

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use crate::ids::{DeviceId, DeviceUsername, IdentityAddress};

/// An identity as the Backbone's Devices module stores it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub address: IdentityAddress,
    /// The raw Ed25519 public key the address is derived from.
    pub public_key: [u8; 32],
    /// `identityPublicKey` exactly as received (the key's JSON, `@type` and all), which is what
    /// the Backbone stores and hands out.
    pub identity_public_key: Vec<u8>,
    /// The platform client it was created with.
    pub client_id: String,
    pub identity_version: u8,
    pub created_at: DateTime<Utc>,
    pub devices: Vec<IdentityDevice>,
}

/// A device created for an identity (its login is in [`crate::auth::Accounts`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentityDevice {
    pub id: DeviceId,
    pub username: DeviceUsername,
    pub created_at: DateTime<Utc>,
    /// An ISO 639-1 code; `en` unless the request named another.
    pub communication_language: String,
}

/// All created identities, in creation order.
#[derive(Debug, Default)]
pub struct IdentityStore {
    identities: HashMap<IdentityAddress, (u64, Identity)>,
    next_sequence: u64,
}

impl IdentityStore {
    /// Adds `identity`, replacing one with the same address.
    pub fn insert(&mut self, identity: Identity) {
        self.next_sequence += 1;
        let sequence = match self.identities.get(&identity.address) {
            Some((sequence, _)) => *sequence,
            None => self.next_sequence,
        };
        self.identities
            .insert(identity.address.clone(), (sequence, identity));
    }

    pub fn get(&self, address: &IdentityAddress) -> Option<&Identity> {
        self.identities.get(address).map(|(_, identity)| identity)
    }

    pub fn get_mut(&mut self, address: &IdentityAddress) -> Option<&mut Identity> {
        self.identities
            .get_mut(address)
            .map(|(_, identity)| identity)
    }

    pub fn contains(&self, address: &IdentityAddress) -> bool {
        self.identities.contains_key(address)
    }

    /// How many identities were created with the platform client `client_id`.
    pub fn count_by_client(&self, client_id: &str) -> usize {
        self.identities
            .values()
            .filter(|(_, identity)| identity.client_id == client_id)
            .count()
    }

    pub fn len(&self) -> usize {
        self.identities.len()
    }

    pub fn is_empty(&self) -> bool {
        self.identities.is_empty()
    }

    /// All identities, oldest first.
    pub fn all(&self) -> Vec<Identity> {
        let mut all: Vec<&(u64, Identity)> = self.identities.values().collect();
        all.sort_by_key(|(sequence, _)| *sequence);
        all.into_iter().map(|(_, i)| i.clone()).collect()
    }
}
