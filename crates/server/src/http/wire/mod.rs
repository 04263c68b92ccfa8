//! The routes' shapes on the wire, converted at this edge: request bodies into the typed
//! requests of `application`, domain results into the Connector's v6/v7 answers.

pub mod create_own_token_request;
pub mod create_token_request;
pub mod file_dto;
pub mod list_files_query;
pub mod list_tokens_query;
pub mod load_peer_file_request;
pub mod load_peer_token_request;
pub mod token_dto;
pub mod upload_own_file_request;

pub use create_own_token_request::parse_create_own_token_request;
pub use create_token_request::{ADDRESS_PATTERN, FILE_ID_PATTERN, parse_create_token_request};
pub use file_dto::FileDto;
pub use list_files_query::parse_list_files_query;
pub use list_tokens_query::parse_list_tokens_query;
pub use load_peer_file_request::parse_load_peer_file_request;
pub use load_peer_token_request::parse_load_peer_token_request;
pub use token_dto::{PasswordProtectionDto, TokenDto, TokenReferenceDto};
pub use upload_own_file_request::{FILE_FIELD, parse_upload_own_file_request};

#[cfg(test)]
pub(crate) mod tests;
