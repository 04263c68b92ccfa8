//! `getFiles`: the stored Files a filter selects, all, own or peers' (the Connector's
//! `GET …/Files`, `…/Files/Own`, `…/Files/Peer`). Local only: never asks the Backbone.
//!
//! The filter ([`FileFilter`]) is typed; the server reads it from the Connector's query syntax.
//! Its semantics, those of the Connector's MongoDB store, are [`FileFilter::matches`].

mod filter;
mod use_case;
mod value;

#[cfg(test)]
mod tests;

pub use filter::{
    Condition, FieldKind, FieldValue, FileCondition, FileField, FileFilter, simple_lowercase,
};
pub use use_case::{ListFiles, ListFilesError, ListFilesRequest, OwnerRestriction};
pub use value::FilterValue;
