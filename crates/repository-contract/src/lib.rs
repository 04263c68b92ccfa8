//! The repository contract: ONE suite of checks that every storage engine behind
//! `FileRepository`, `TokenRepository`, `IdentityRepository` and `IdempotencyRepository` must
//! pass, so PostgreSQL and
//! SQLite cannot drift apart.
//!
//! An engine's test crate implements [`Store`] (a fresh, migrated, empty database for one test,
//! with the few back doors the checks need) and expands the whole suite with
//! [`repository_contract_tests!`]:
//!
//! ```ignore
//! repository_contract::repository_contract_tests!(MyStore::create());
//! ```
//!
//! Usually the [`Store`] is an [`EngineStore`]: the engine's test database, which implements
//! only the back doors ([`BackDoor`]), and the repositories over it.
//!
//! The macro holds the list of checks; a unit test of this crate fails when a check in
//! `src/checks/` is missing from it, so no engine can silently skip one.

pub mod checks;
pub mod fixtures;

use std::fmt;
use std::sync::Arc;

use application::ports::{
    FileRepository, IdempotencyRepository, IdentityRepository, TokenRepository,
};
use domain::SecretKey;

/// One test's database: fresh, migrated and empty when handed to a check.
pub trait Store: Send + Sync {
    fn files(&self) -> Arc<dyn FileRepository>;
    fn tokens(&self) -> Arc<dyn TokenRepository>;
    fn idempotency(&self) -> Arc<dyn IdempotencyRepository>;
    /// The identity repository, its secrets under [`fixtures::secrets_key`].
    fn identities(&self) -> Arc<dyn IdentityRepository>;

    /// Another identity repository over the same database, opened on its own as another
    /// instance of the service would open it, its secrets under `secrets_key`.
    fn identities_elsewhere(&self, secrets_key: SecretKey) -> Arc<dyn IdentityRepository>;

    /// How many rows `table` (`files`, `tokens`, `identity` or `idempotency_keys`) holds.
    fn row_count(&self, table: &str) -> i64;

    /// The raw `sealed_secrets` of every stored identity, as the database holds them.
    fn sealed_identity_secrets(&self) -> Vec<Vec<u8>>;

    /// Writes what the repositories never would, behind their back, in the engine's own SQL.
    ///
    /// # Errors
    /// The database's message when it refuses the change (e.g. a violated constraint).
    fn tamper(&self, tamper: Tamper<'_>) -> Result<(), String>;
}

/// The back doors of one test's database, which an [`EngineStore`] turns into [`Store`]'s.
pub trait BackDoor: Send + Sync {
    /// As [`Store::row_count`].
    fn row_count(&self, table: &str) -> i64;

    /// Runs `sql` (one or more statements) behind the repositories' back.
    ///
    /// # Errors
    /// The database's message when it refuses the change.
    fn execute(&self, sql: &str) -> Result<(), String>;

    /// The values of the one binary column `sql` (a `SELECT`) selects, read on a connection of
    /// its own.
    fn binary_column(&self, sql: &str) -> Vec<Vec<u8>>;

    /// An identity repository over this database, opened anew (its own pool, as another
    /// instance would open it), its secrets under `secrets_key`.
    fn open_identities(&self, secrets_key: SecretKey) -> Arc<dyn IdentityRepository>;

    /// The engine's statement for [`Tamper::InsertFileWithInvalidOwner`]: its literals for a
    /// key, an instant and a boolean differ per engine. The other [`Tamper`]s are plain SQL
    /// that every engine reads alike.
    fn insert_file_with_invalid_owner(&self, id: &str) -> String;
}

/// A [`Store`] made of an engine's test database (its [`BackDoor`], kept alive as long as the
/// store) and the repositories over it.
pub struct EngineStore<D> {
    database: D,
    files: Arc<dyn FileRepository>,
    tokens: Arc<dyn TokenRepository>,
    idempotency: Arc<dyn IdempotencyRepository>,
    identities: Arc<dyn IdentityRepository>,
}

impl<D: BackDoor> EngineStore<D> {
    /// The store of `database`, whose identity repository it opens with
    /// [`BackDoor::open_identities`].
    pub fn new(
        database: D,
        files: impl FileRepository + 'static,
        tokens: impl TokenRepository + 'static,
        idempotency: impl IdempotencyRepository + 'static,
    ) -> Self {
        let identities = database.open_identities(fixtures::secrets_key());
        Self {
            database,
            files: Arc::new(files),
            tokens: Arc::new(tokens),
            idempotency: Arc::new(idempotency),
            identities,
        }
    }
}

impl<D> fmt::Debug for EngineStore<D> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EngineStore").finish_non_exhaustive()
    }
}

impl<D: BackDoor> Store for EngineStore<D> {
    fn files(&self) -> Arc<dyn FileRepository> {
        self.files.clone()
    }

    fn tokens(&self) -> Arc<dyn TokenRepository> {
        self.tokens.clone()
    }

    fn idempotency(&self) -> Arc<dyn IdempotencyRepository> {
        self.idempotency.clone()
    }

    fn identities(&self) -> Arc<dyn IdentityRepository> {
        self.identities.clone()
    }

    fn identities_elsewhere(&self, secrets_key: SecretKey) -> Arc<dyn IdentityRepository> {
        self.database.open_identities(secrets_key)
    }

    fn row_count(&self, table: &str) -> i64 {
        self.database.row_count(table)
    }

    fn sealed_identity_secrets(&self) -> Vec<Vec<u8>> {
        self.database
            .binary_column("SELECT sealed_secrets FROM identity")
    }

    fn tamper(&self, tamper: Tamper<'_>) -> Result<(), String> {
        let sql = match tamper {
            Tamper::InsertFileWithInvalidOwner { id } => {
                self.database.insert_file_with_invalid_owner(id)
            }
            Tamper::ReplaceTokenContentWithTemplate { id } => format!(
                r#"UPDATE tokens SET content = '{{"@type":"TokenContentFile","fileId":"not a file id"}}' WHERE id = '{id}'"#
            ),
            Tamper::SetOnlyThePassword => "UPDATE tokens SET password = 'secret'".to_owned(),
            Tamper::SetIdentityAddress { address } => {
                format!("UPDATE identity SET address = '{address}'")
            }
            Tamper::CopyIdentityToAddress { address } => format!(
                "INSERT INTO identity SELECT '{address}', public_key, sealed_secrets, NULL, NULL, \
                 NULL, datawallet_initialized, updated_at FROM identity"
            ),
            Tamper::ClearDeviceUsername => "UPDATE identity SET device_username = NULL".to_owned(),
            Tamper::ClearFileContentColumn { id, column } => format!(
                "UPDATE files SET {} = NULL WHERE id = '{id}'",
                column.name()
            ),
            Tamper::SetOnlyTheAnswerStatus => "UPDATE idempotency_keys SET status = 200".to_owned(),
            Tamper::SetOnlyTheOwnerSignature { id } => {
                format!("UPDATE files SET owner_signature = 'signature' WHERE id = '{id}'")
            }
            // `substr` cuts bytea (PostgreSQL) and BLOB (SQLite) alike, keeping the type.
            Tamper::ShortenFileContentColumn { id, column } => format!(
                "UPDATE files SET {0} = substr({0}, 1, length({0}) - 1) WHERE id = '{id}'",
                column.name()
            ),
        };
        self.database.execute(&sql)
    }
}

/// Changes a check makes behind the repositories' back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tamper<'a> {
    /// Inserts a complete `files` row with id `id` whose `owner` and `created_by` are
    /// `not-an-address` (otherwise valid: a 32-byte zero key, `DVCAAAAAAAAAAAAAAAAA`, size 1).
    InsertFileWithInvalidOwner { id: &'a str },
    /// Sets the `content` of token `id` to the JSON object
    /// `{"@type":"TokenContentRelationshipTemplate"}`.
    ReplaceTokenContentWithTemplate { id: &'a str },
    /// Sets `password` to `secret` on every token, leaving the other password columns alone.
    SetOnlyThePassword,
    /// Sets the `address` of the stored identity to `address`, leaving its sealed secrets.
    SetIdentityAddress { address: &'a str },
    /// Inserts a copy of the stored identity at `address`, without device.
    CopyIdentityToAddress { address: &'a str },
    /// Sets `device_username` to NULL, leaving the other device columns alone.
    ClearDeviceUsername,
    /// Sets `column` of File `id` to NULL, leaving the other content columns alone.
    ClearFileContentColumn {
        id: &'a str,
        column: FileContentColumn,
    },
    /// Sets `owner_signature` of File `id` to `signature`, leaving the other content columns
    /// alone.
    SetOnlyTheOwnerSignature { id: &'a str },
    /// Sets `status` to 200 on every idempotency key, leaving its headers and body alone.
    SetOnlyTheAnswerStatus,
    /// Drops the last byte of `column` (a binary one) of File `id`.
    ShortenFileContentColumn {
        id: &'a str,
        column: FileContentColumn,
    },
}

/// The four `files` columns holding a File's content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileContentColumn {
    CipherKey,
    CipherHash,
    PlaintextHash,
    OwnerSignature,
}

impl FileContentColumn {
    pub const ALL: [Self; 4] = [
        Self::CipherKey,
        Self::CipherHash,
        Self::PlaintextHash,
        Self::OwnerSignature,
    ];

    /// The column's name.
    pub fn name(self) -> &'static str {
        match self {
            Self::CipherKey => "cipher_key",
            Self::CipherHash => "cipher_hash",
            Self::PlaintextHash => "plaintext_hash",
            Self::OwnerSignature => "owner_signature",
        }
    }
}

/// Expands every check of the contract into a `#[tokio::test]` of the calling module, each
/// evaluating `$store` (an expression giving a fresh [`Store`]) for itself. The caller needs
/// `tokio` (with `macros` and `rt`) among its dev-dependencies.
#[macro_export]
macro_rules! repository_contract_tests {
    ($store:expr) => {
        $crate::__contract! { @list [tests $store] }
    };
}

/// The list of checks, in one place, and what the list expands to.
#[doc(hidden)]
#[macro_export]
macro_rules! __contract {
    (@list [$($mode:tt)*]) => {
        $crate::__contract! { @expand [$($mode)*]
            a_file_with_every_field_set_reads_back_unchanged,
            a_file_with_its_optional_fields_empty_reads_back_unchanged,
            a_file_without_content_reads_back_without_content,
            a_deleted_file_is_gone_and_deleting_again_is_no_error,
            a_new_ownership_token_replaces_the_old_and_unlocks,
            file_instants_keep_microseconds_and_drop_finer_digits,
            file_instants_far_from_now_read_back_unchanged,
            a_second_file_with_the_same_id_is_a_duplicate_and_changes_nothing,
            a_missing_file_is_none,
            a_list_without_conditions_holds_every_file_oldest_first,
            dates_are_filtered_as_their_iso_text,
            texts_are_filtered_byte_by_byte_and_patterns_literally,
            absent_fields_pass_only_the_negations,
            numbers_and_booleans_match_values_of_their_type_only,
            tags_match_any_listed_tag_exactly,
            every_condition_of_a_list_must_hold,
            a_row_that_is_no_valid_file_is_corrupt,
            the_database_refuses_partly_set_or_misshapen_file_content,
            a_token_without_password_reads_back_unchanged,
            a_token_for_one_identity_reads_back_unchanged,
            a_password_protected_token_reads_back_unchanged,
            a_pin_protected_token_keeps_its_named_location_indicator,
            a_pin_protected_token_keeps_its_free_location_indicator,
            a_password_of_any_unicode_reads_back_unchanged,
            the_longest_password_the_api_accepts_reads_back_unchanged,
            token_instants_at_the_edges_of_the_api_read_back_unchanged,
            token_instants_keep_microseconds_and_drop_finer_digits,
            a_second_token_with_the_same_id_is_a_duplicate_and_changes_nothing,
            a_missing_token_is_none,
            a_peer_token_with_any_json_content_reads_back_unchanged,
            tokens_are_listed_by_owner_and_filter_oldest_first,
            a_deleted_token_is_gone_and_deleting_it_again_is_no_error,
            a_row_whose_content_is_no_file_pointer_is_corrupt,
            the_database_refuses_a_partly_set_password_protection,
            no_identity_is_stored_at_first,
            a_pending_identity_reads_back_unchanged,
            the_device_stored_after_the_backbone_answered_reads_back_unchanged,
            a_pending_identity_is_replaced_by_one_with_another_address,
            an_onboarded_identity_is_never_replaced_by_another,
            secrets_under_another_key_are_undecryptable,
            secrets_moved_to_another_address_are_undecryptable,
            the_stored_secrets_hold_neither_seed_nor_the_password,
            hostile_device_passwords_read_back_unchanged,
            one_onboarding_lock_holder_at_a_time,
            an_identity_saved_under_the_lock_is_committed_for_every_instance,
            the_database_holds_one_identity_with_a_complete_device_or_none,
            a_new_key_is_claimed_once_and_then_found_held,
            a_kept_answer_reads_back_unchanged,
            keys_are_scoped_by_api_key_and_compared_exactly,
            only_the_holder_completes_or_releases_an_unanswered_claim,
            a_released_key_is_claimed_anew,
            a_takeover_hands_the_claim_to_its_new_owner_alone,
            an_expired_key_is_claimed_anew,
            purging_forgets_exactly_the_keys_created_before_the_bound,
            of_concurrent_claims_of_one_key_exactly_one_is_made,
            the_database_refuses_a_partly_set_answer,
        }
    };
    (@expand [tests $store:expr] $($check:ident),* $(,)?) => {
        $(
            #[::tokio::test]
            async fn $check() {
                let store = $store;
                $crate::checks::$check(&store).await;
            }
        )*
    };
    (@expand [names] $($check:ident),* $(,)?) => {
        &[$(stringify!($check)),*]
    };
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    /// The checks defined in `src/checks/`, read from the sources.
    fn defined_checks() -> BTreeSet<&'static str> {
        [
            include_str!("checks/file_lists.rs"),
            include_str!("checks/files.rs"),
            include_str!("checks/idempotency.rs"),
            include_str!("checks/identity.rs"),
            include_str!("checks/tokens.rs"),
        ]
        .into_iter()
        .flat_map(str::lines)
        .filter_map(|line| line.strip_prefix("pub async fn "))
        .filter_map(|rest| rest.split('(').next())
        .collect()
    }

    #[test]
    fn every_check_is_in_the_suite_every_engine_runs() {
        let listed: &[&str] = __contract! { @list [names] };
        let listed: BTreeSet<&str> = listed.iter().copied().collect();

        assert_eq!(listed, defined_checks());
        assert!(listed.len() >= 34);
    }
}
