//! The ports the use case drives. Each method documents its error contract under `# Errors`.

mod backbone;
mod clock;
mod random;
mod repository;

pub use backbone::{BackboneError, BackboneTokens, CreatedBackboneToken, NewBackboneToken};
pub use clock::{Clock, SystemClock};
pub use random::RandomSource;
pub use repository::{FileRepository, MAX_TEXT_BYTES, RepositoryError, TokenRepository};

#[cfg(any(test, feature = "mocks"))]
pub use backbone::MockBackboneTokens;
#[cfg(any(test, feature = "mocks"))]
pub use clock::MockClock;
#[cfg(any(test, feature = "mocks"))]
pub use random::MockRandomSource;
#[cfg(any(test, feature = "mocks"))]
pub use repository::{MockFileRepository, MockTokenRepository};
