//! The ports the use cases drive, grouped by the system they stand for. Each method documents its error contract under `# Errors`.

mod backbone;
mod clock;
mod hashing;
mod random;
mod repository;

pub use backbone::{BackboneError, BackboneTokens, CreatedBackboneToken, NewBackboneToken};
pub use clock::{Clock, SystemClock};
pub use hashing::{HashingError, PasswordHasher};
pub use random::RandomSource;
pub use repository::{FileRepository, MAX_TEXT_BYTES, RepositoryError, TokenRepository};

#[cfg(any(test, feature = "mocks"))]
pub use backbone::MockBackboneTokens;
#[cfg(any(test, feature = "mocks"))]
pub use clock::MockClock;
#[cfg(any(test, feature = "mocks"))]
pub use hashing::MockPasswordHasher;
#[cfg(any(test, feature = "mocks"))]
pub use random::MockRandomSource;
#[cfg(any(test, feature = "mocks"))]
pub use repository::{MockFileRepository, MockTokenRepository};
