//! The demo File: one File with a random id and key for this service's identity, so an
//! installation has something to create a token for before file upload exists. Local mode
//! stores one at first start; `connector seed-demo-file` stores one on a configured Backbone.

use application::ports::RandomSource;
use chrono::{Duration, Utc};
use domain::{DeviceId, File, FileId, IdentityAddress};
use rand::Rng;
use rand::distributions::Alphanumeric;

use crate::random::OsRandom;

/// How long a demo File stays valid.
const DEMO_FILE_LIFETIME_DAYS: i64 = 365;

/// A new demo File owned by `owner`, created on `device`.
pub fn demo_file(owner: &IdentityAddress, device: &DeviceId) -> File {
    let random_part: String = rand::thread_rng()
        .sample_iter(Alphanumeric)
        .take(17)
        .map(char::from)
        .collect();
    let now = Utc::now();
    File {
        id: FileId::from_random_part(&random_part)
            .unwrap_or_else(|_| unreachable!("17 alphanumerics")),
        secret_key: OsRandom.secret_key(),
        owner: owner.clone(),
        created_at: now,
        created_by: owner.clone(),
        created_by_device: device.clone(),
        expires_at: now + Duration::days(DEMO_FILE_LIFETIME_DAYS),
        filename: "demo.txt".into(),
        filesize: 0,
        mimetype: "text/plain".into(),
        title: Some("Demo File".into()),
        description: Some("A File to try token creation with".into()),
        tags: Vec::new(),
        ownership_token: None,
        ownership_is_locked: false,
        is_own: true,
        content: None,
    }
}
