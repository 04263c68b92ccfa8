//! File references (files.md §4.1): a File's id, its Backbone and its metadata key, in the
//! layout token references use (`crate::reference::parts`), and what `POST /Files/Peer`
//! accepts: a reference to a file or to a token that carries one.

use super::File;
use crate::crypto::SecretKey;
use crate::ids::{FileId, TokenId};
use crate::reference::parts::{ReferenceParts, secret_parts, write_truncated, write_url};
use crate::reference::{ReferenceError, TokenReference};

/// A reference to a File. Files are never personalised or password-protected, so both written
/// forms end in two empty parts: `…|3|<key>||`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileReference {
    pub id: FileId,
    /// The Backbone holding the File; absent in references of older runtimes.
    pub backbone_base_url: Option<String>,
    /// The File's metadata key (never the content key).
    pub key: SecretKey,
}

impl FileReference {
    /// The truncated form: b64url of `<id>@<baseUrl>|3|<key>||` (the `@baseUrl` is left out
    /// when unknown). Always starts with `RklM`, the b64url of `FIL`.
    pub fn truncated(&self) -> String {
        write_truncated(
            self.id.as_str(),
            self.backbone_base_url.as_deref(),
            &self.secret_parts(),
        )
    }

    /// The url form: `<baseUrl>/r/<id>#<b64url of "3|<key>||">`; `None` when the Backbone is
    /// unknown.
    pub fn url(&self) -> Option<String> {
        let base = self.backbone_base_url.as_ref()?;
        Some(write_url(self.id.as_str(), base, &self.secret_parts()))
    }

    fn secret_parts(&self) -> String {
        secret_parts(&self.key, "", "")
    }

    /// Reads a truncated (also the legacy `id|3|key`) or url file reference. An identity or
    /// password part is ignored, as the runtime ignores it for files.
    ///
    /// # Errors
    /// A [`ReferenceError`] naming the first part that is wrong;
    /// [`ReferenceError::InvalidFileId`] for a token's reference.
    pub fn parse(text: &str) -> Result<Self, ReferenceError> {
        let parts = ReferenceParts::parse(text, |id| {
            FileId::parse(id).map_err(|_| ReferenceError::InvalidFileId(id.to_owned()))
        })?;
        Ok(Self::from_parts(parts))
    }

    fn from_parts(parts: ReferenceParts<FileId>) -> Self {
        Self {
            id: parts.id,
            backbone_base_url: parts.backbone_base_url,
            key: parts.key,
        }
    }
}

impl File {
    /// The reference a peer loads this File with, pointing at `backbone_base_url`.
    pub fn reference(&self, backbone_base_url: &str) -> FileReference {
        FileReference {
            id: self.id.clone(),
            backbone_base_url: Some(backbone_base_url.to_owned()),
            key: self.secret_key.clone(),
        }
    }
}

/// What `POST /Files/Peer` accepts, told apart by the id's prefix: a File's own reference, or
/// a token's, whose content then names the File and its key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PeerFileReference {
    File(FileReference),
    Token(TokenReference),
}

enum ReferencedId {
    File(FileId),
    Token(TokenId),
}

impl PeerFileReference {
    /// Reads a truncated or url reference to a file or a token.
    ///
    /// # Errors
    /// A [`ReferenceError`] naming the first part that is wrong;
    /// [`ReferenceError::NeitherFileNorToken`] for an id of any other kind.
    pub fn parse(text: &str) -> Result<Self, ReferenceError> {
        let parts = ReferenceParts::parse(text, |id| {
            if let Ok(file) = FileId::parse(id) {
                Ok(ReferencedId::File(file))
            } else if let Ok(token) = TokenId::parse(id) {
                Ok(ReferencedId::Token(token))
            } else {
                Err(ReferenceError::NeitherFileNorToken(id.to_owned()))
            }
        })?;
        match parts.take_id() {
            (ReferencedId::File(id), rest) => {
                Ok(Self::File(FileReference::from_parts(rest.with_id(id))))
            }
            (ReferencedId::Token(id), rest) => {
                TokenReference::from_parts(rest.with_id(id)).map(Self::Token)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::tests::{file_key, token_key};
    use crate::encoding::b64url;

    const BASE: &str = "https://backbone.example.com";

    fn reference() -> FileReference {
        FileReference {
            id: FileId::parse("FILAAAAAAAAAAAAAAAAA").unwrap(),
            backbone_base_url: Some(BASE.into()),
            key: file_key(),
        }
    }

    #[test]
    fn a_token_reference_is_not_a_file_reference() {
        let token = format!(
            "TOKAAAAAAAAAAAAAAAAA@{BASE}|3|{}||",
            token_key().to_b64url()
        );
        assert_eq!(
            FileReference::parse(&b64url(token)),
            Err(ReferenceError::InvalidFileId("TOKAAAAAAAAAAAAAAAAA".into()))
        );
    }

    #[test]
    fn peer_references_are_told_apart_by_their_id() {
        let key = file_key().to_b64url();
        let token = b64url(format!("TOKAAAAAAAAAAAAAAAAA|3|{key}|ab12|"));
        let Ok(PeerFileReference::Token(token)) = PeerFileReference::parse(&token) else {
            panic!("a TOK id is a token reference")
        };
        assert_eq!(token.for_identity_last_four.as_deref(), Some("ab12"));
        assert_eq!(
            PeerFileReference::parse(&reference().truncated()),
            Ok(PeerFileReference::File(reference()))
        );
        assert_eq!(
            PeerFileReference::parse(&b64url(format!("DVCAAAAAAAAAAAAAAAAA|3|{key}"))),
            Err(ReferenceError::NeitherFileNorToken(
                "DVCAAAAAAAAAAAAAAAAA".into()
            ))
        );
        // A token's password part is still judged by the token rules.
        assert_eq!(
            PeerFileReference::parse(&b64url(format!("TOKAAAAAAAAAAAAAAAAA|3|{key}||pw"))),
            Err(ReferenceError::InvalidPassword("pw".into()))
        );
    }

    /// The runtime's reader keeps such parts but never uses them for a file.
    #[test]
    fn identity_and_password_parts_of_a_file_reference_are_ignored() {
        let text = format!(
            "FILAAAAAAAAAAAAAAAAA@{BASE}|3|{}|ab12|pw&YTE2Ynl0ZXNsb25nc2FsdA==",
            file_key().to_b64url()
        );
        assert_eq!(FileReference::parse(&b64url(text)), Ok(reference()));
    }

    #[test]
    fn broken_file_references_say_what_is_wrong() {
        let key = file_key().to_b64url();
        let cases = [
            (
                b64url(format!("FILAAAA|3|{key}")),
                ReferenceError::InvalidFileId("FILAAAA".into()),
            ),
            (
                b64url("FILAAAAAAAAAAAAAAAAA|3|short"),
                ReferenceError::InvalidKey,
            ),
            (
                format!("{BASE}/r/FILAAAAAAAAAAAAAAAAA"),
                ReferenceError::InvalidUrl,
            ),
            (
                b64url(format!("FILAAAAAAAAAAAAAAAAA@ftp://x|3|{key}||")),
                ReferenceError::InvalidBackboneUrl("ftp://x".into()),
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(FileReference::parse(&text), Err(expected), "{text}");
        }
    }
}
