//! `getTokens`: the stored Tokens a filter selects, own or peers' (the Connector's
//! `GET …/Tokens/Own` and `…/Tokens/Peer`). Local only: never asks the Backbone.

mod filter;
mod use_case;

#[cfg(test)]
mod tests;

pub use filter::{TokenCondition, TokenField, TokenFilter};
pub use use_case::{ListTokens, ListTokensError, ListTokensRequest};
