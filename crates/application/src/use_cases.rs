//! Every use case, built once from one [`Dependencies`]: the driving side (the HTTP server)
//! holds this and nothing else, so a new use case is a field here, not new wiring there.

use crate::Dependencies;
use crate::files::download::DownloadFile;
use crate::files::get::GetFile;
use crate::files::list::ListFiles;
use crate::files::load_peer::LoadPeerFile;
use crate::files::manage::ManageFile;
use crate::files::upload_own::UploadOwnFile;
use crate::tokens::create_for_file::CreateTokenForFile;
use crate::tokens::create_own::CreateOwnToken;
use crate::tokens::list::ListTokens;
use crate::tokens::load_peer::LoadPeerToken;
use crate::tokens::manage::ManageToken;

/// The use cases of this service. Share it in an `Arc`.
#[derive(Debug)]
pub struct UseCases {
    pub create_token_for_file: CreateTokenForFile,
    pub upload_own_file: UploadOwnFile,
    pub get_file: GetFile,
    pub download_file: DownloadFile,
    pub list_files: ListFiles,
    pub load_peer_file: LoadPeerFile,
    pub manage_file: ManageFile,
    pub create_own_token: CreateOwnToken,
    pub load_peer_token: LoadPeerToken,
    pub list_tokens: ListTokens,
    pub manage_token: ManageToken,
}

impl UseCases {
    pub fn new(deps: &Dependencies) -> Self {
        Self {
            create_token_for_file: CreateTokenForFile::new(deps.clone()),
            upload_own_file: UploadOwnFile::new(deps.clone()),
            get_file: GetFile::new(deps.clone()),
            download_file: DownloadFile::new(deps.clone()),
            list_files: ListFiles::new(deps.clone()),
            load_peer_file: LoadPeerFile::new(deps.clone()),
            manage_file: ManageFile::new(deps.clone()),
            create_own_token: CreateOwnToken::new(deps.clone()),
            load_peer_token: LoadPeerToken::new(deps.clone()),
            list_tokens: ListTokens::new(deps.clone()),
            manage_token: ManageToken::new(deps.clone()),
        }
    }
}
