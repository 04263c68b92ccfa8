//! The ports the use cases drive, grouped by the system they stand for. Each method documents its error contract under `# Errors`.

mod backbone;
mod backbone_files;
mod backbone_identities;
mod clock;
mod hashing;
mod idempotency;
mod identity;
mod pause;
mod random;
mod repository;

pub use backbone::{
    BackboneError, BackboneToken, BackboneTokens, CreatedBackboneToken, FORBIDDEN,
    NewBackboneToken, RECORD_NOT_FOUND,
};
pub use backbone_files::{BackboneFile, BackboneFiles, NewBackboneFile};
pub use backbone_identities::{
    ADDRESS_ALREADY_EXISTS, BackboneIdentities, CreatedIdentity, DeviceLogin, NewIdentity,
};
pub use clock::{Clock, SystemClock};
pub use hashing::{HashingError, PasswordHasher};
pub use idempotency::{
    ClaimId, ClaimOutcome, ClaimOwner, ExistingClaim, IdempotencyRepository, NewClaim, StoredAnswer,
};
pub use identity::{
    IdentityRepository, IdentitySecrets, OnboardedDevice, OnboardingLock, StoredIdentity,
};
pub use pause::Pause;
pub use random::RandomSource;
pub use repository::{FileRepository, MAX_TEXT_BYTES, RepositoryError, TokenRepository};

#[cfg(any(test, feature = "mocks"))]
pub use backbone::MockBackboneTokens;
#[cfg(any(test, feature = "mocks"))]
pub use backbone_files::MockBackboneFiles;
#[cfg(any(test, feature = "mocks"))]
pub use backbone_identities::MockBackboneIdentities;
#[cfg(any(test, feature = "mocks"))]
pub use clock::MockClock;
#[cfg(any(test, feature = "mocks"))]
pub use hashing::MockPasswordHasher;
#[cfg(any(test, feature = "mocks"))]
pub use idempotency::MockIdempotencyRepository;
#[cfg(any(test, feature = "mocks"))]
pub use identity::MockIdentityRepository;
#[cfg(any(test, feature = "mocks"))]
pub use pause::MockPause;
#[cfg(any(test, feature = "mocks"))]
pub use random::MockRandomSource;
#[cfg(any(test, feature = "mocks"))]
pub use repository::{MockFileRepository, MockTokenRepository};
