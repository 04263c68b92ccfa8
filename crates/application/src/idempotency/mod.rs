//! Idempotent execution of creating requests: the first request with a key runs and its answer
//! is kept; a retry with the same key and the same request gets that answer, one with another
//! request is refused, and one that comes while the first still runs waits for it.

mod use_case;

pub use use_case::{
    Begun, Execution, Idempotency, IdempotencyDependencies, IdempotencyError, IdempotencyPolicy,
    IdempotentRequest,
};

#[cfg(test)]
mod tests;
