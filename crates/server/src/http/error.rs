//! `ApiError`: every failure as an HTTP status plus the error envelope. The only place that
//! decides statuses; 5xx answers carry a generic message and the error id, never internals.

use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::http::header::{ALLOW, RETRY_AFTER};
use actix_web::{HttpResponse, ResponseError};
use application::Withdrawal;
use application::files::download::DownloadFileError;
use application::files::get::GetFileError;
use application::files::load_peer::LoadPeerFileError;
use application::files::manage::ManageFileError;
use application::files::upload_own::UploadOwnFileError;
use application::idempotency::IdempotencyError;
use application::ports::{BackboneError, RepositoryError};
use application::tokens::create_for_file::CreateTokenForFileError;
use application::tokens::create_own::CreateOwnTokenError;
use application::tokens::list::ListTokensError;
use application::tokens::load_peer::LoadPeerTokenError;
use application::tokens::manage::ManageTokenError;
use domain::TokenId;

use super::envelope::{Failure, new_error_id};

pub const VALIDATION: &str = "error.runtime.validation.invalidPropertyValue";
pub const RECORD_NOT_FOUND: &str = "error.runtime.recordNotFound";
pub const INVALID_JSON: &str = "error.connector.validation.invalidJsonInPayload";
pub const ROUTE_DOES_NOT_EXIST: &str = "error.connector.http.routeDoesNotExist";
pub const METHOD_NOT_ALLOWED: &str = "error.connector.http.methodNotAllowed";
pub const NOT_ACCEPTABLE: &str = "error.connector.http.notAcceptable";
pub const UNSUPPORTED_MEDIA_TYPE: &str = "error.connector.http.unsupportedMediaType";
pub const PAYLOAD_TOO_LARGE: &str = "error.connector.http.payloadTooLarge";
pub const UNAUTHORIZED: &str = "error.connector.unauthorized";
pub const FORBIDDEN: &str = "error.connector.forbidden";
pub const UNEXPECTED: &str = "error.connector.unexpected";
pub const DATABASE_UNAVAILABLE: &str = "error.connector.database.unavailable";
pub const TOKEN_NOT_STORED: &str = "error.connector.tokenNotStored";
pub const FILE_NOT_STORED: &str = "error.connector.fileNotStored";
pub const FILE_CONTENT_NOT_STORED: &str = "error.connector.files.contentNotStored";
pub const FILE_GONE: &str = "error.platform.recordNotFound";
pub const CIPHER_MISMATCH: &str = "error.transport.files.cipherMismatch";
pub const PASSWORD_HASHING_UNAVAILABLE: &str = "error.connector.passwordHashingUnavailable";
pub const BACKBONE_UNAVAILABLE: &str = "error.connector.backbone.unavailable";
pub const BACKBONE_TIMEOUT: &str = "error.connector.backbone.timeout";
pub const BACKBONE_CONNECTION_LOST: &str = "error.connector.backbone.connectionLost";
pub const BACKBONE_AUTHENTICATION: &str = "error.connector.backbone.authenticationFailed";
pub const BACKBONE_UNEXPECTED: &str = "error.connector.backbone.unexpectedResponse";
pub const PLATFORM_UNEXPECTED: &str = "error.platform.unexpected";
pub const PLATFORM_QUOTA: &str = "error.platform.quotaExhausted";
pub const INVALID_IDEMPOTENCY_KEY: &str = "error.connector.idempotency.invalidKey";
pub const IDEMPOTENCY_KEY_REUSED: &str = "error.connector.idempotency.keyReused";
pub const IDEMPOTENT_REQUEST_RUNNING: &str = "error.connector.idempotency.requestInProgress";

/// A failure ready to become a response.
#[derive(Debug)]
pub struct ApiError {
    /// The envelope's `id`, drawn when the error is made so that its log line can name it.
    pub id: Box<str>,
    pub status: StatusCode,
    pub code: &'static str,
    /// Backbone codes are passed through as the Backbone wrote them.
    pub foreign_code: Option<String>,
    pub message: String,
    pub retry_after: Option<Duration>,
    pub allow: Option<&'static str>,
    /// What went wrong inside (an error's whole `source()` chain), for the request's log line
    /// only: never sent.
    pub cause: Option<String>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            id: new_error_id().into(),
            status,
            code,
            foreign_code: None,
            message: message.into(),
            retry_after: None,
            allow: None,
            cause: None,
        }
    }

    /// The answer to a failed use case, keeping its whole error chain for the request's log
    /// line (the answer itself never shows it).
    pub fn failed<E>(error: E) -> Self
    where
        E: std::error::Error,
        Self: From<E>,
    {
        let cause = crate::telemetry::error_chain(&error);
        Self::from(error).with_cause(cause)
    }

    /// Keeps `cause` for the log line of the request this error answers.
    #[must_use]
    pub fn with_cause(mut self, cause: String) -> Self {
        self.cause = Some(cause);
        self
    }

    /// The code the envelope carries: the Backbone's when it gave one.
    pub fn envelope_code(&self) -> &str {
        self.foreign_code.as_deref().unwrap_or(self.code)
    }

    pub fn validation(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, VALIDATION, message)
    }

    pub fn invalid_json() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            INVALID_JSON,
            "The given payload is not a valid json object.",
        )
    }

    pub fn unauthorized() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, UNAUTHORIZED, "Unauthorized.")
    }

    /// A valid API key whose scopes do not reach the route.
    pub fn forbidden() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            FORBIDDEN,
            "You are not allowed to access this endpoint.",
        )
    }

    pub fn route_does_not_exist() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            ROUTE_DOES_NOT_EXIST,
            "The requested route does not exist.",
        )
    }

    pub fn method_not_allowed(allow: &'static str) -> Self {
        Self {
            allow: Some(allow),
            ..Self::new(
                StatusCode::METHOD_NOT_ALLOWED,
                METHOD_NOT_ALLOWED,
                "The requested method is not allowed on this route.",
            )
        }
    }

    pub fn not_acceptable() -> Self {
        Self::new(
            StatusCode::NOT_ACCEPTABLE,
            NOT_ACCEPTABLE,
            "The requested content type is not available: accept application/json or image/png.",
        )
    }

    pub fn unexpected() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            UNEXPECTED,
            "An unexpected error occurred.",
        )
    }

    fn with_foreign_code(mut self, code: Option<String>) -> Self {
        self.foreign_code = code;
        self
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {}: {}",
            self.status.as_u16(),
            self.envelope_code(),
            self.message
        )
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status);
        if let Some(retry_after) = self.retry_after {
            response.insert_header((RETRY_AFTER, retry_after.as_secs().max(1).to_string()));
        }
        if let Some(allow) = self.allow {
            response.insert_header((ALLOW, allow));
        }
        response.json(Failure::new(&self.id, self.envelope_code(), &self.message))
    }
}

impl From<CreateTokenForFileError> for ApiError {
    fn from(error: CreateTokenForFileError) -> Self {
        match error {
            CreateTokenForFileError::Validation(error) => Self::validation(error.message),
            CreateTokenForFileError::FileNotFound => {
                Self::new(StatusCode::NOT_FOUND, RECORD_NOT_FOUND, error.to_string())
            }
            CreateTokenForFileError::FileLookup(error) => from_repository(&error),
            CreateTokenForFileError::PasswordHashing(_) => {
                password_hashing_unavailable("no token was created")
            }
            CreateTokenForFileError::Backbone(error) => from_backbone(error, &CREATING_A_TOKEN),
            CreateTokenForFileError::NotStored {
                token_id,
                source,
                withdrawal,
            } => token_not_stored(&token_id, &source, &withdrawal),
        }
    }
}

impl From<CreateOwnTokenError> for ApiError {
    fn from(error: CreateOwnTokenError) -> Self {
        match error {
            CreateOwnTokenError::Validation(error) => Self::validation(error.message),
            CreateOwnTokenError::InvalidContent => Self::validation(error.to_string()),
            CreateOwnTokenError::PasswordHashing(_) => {
                password_hashing_unavailable("no token was created")
            }
            CreateOwnTokenError::Backbone(error) => from_backbone(error, &CREATING_A_TOKEN),
            CreateOwnTokenError::NotStored {
                token_id,
                source,
                withdrawal,
            } => token_not_stored(&token_id, &source, &withdrawal),
        }
    }
}

impl From<LoadPeerTokenError> for ApiError {
    fn from(error: LoadPeerTokenError) -> Self {
        let bad_request = |code: &'static str, error: &LoadPeerTokenError| {
            Self::new(StatusCode::BAD_REQUEST, code, error.to_string())
        };
        match error {
            LoadPeerTokenError::InvalidReference(_) => {
                bad_request("error.runtime.invalidReference", &error)
            }
            LoadPeerTokenError::NoPasswordProvided => {
                bad_request("error.transport.noPasswordProvided", &error)
            }
            LoadPeerTokenError::NotIntendedForYou => {
                bad_request("error.transport.general.notIntendedForYou", &error)
            }
            LoadPeerTokenError::InvalidContent => {
                bad_request("error.runtime.invalidTokenContent", &error)
            }
            LoadPeerTokenError::NotFound(message) => {
                Self::new(StatusCode::NOT_FOUND, RECORD_NOT_FOUND, message)
            }
            LoadPeerTokenError::PasswordHashing(_) => {
                password_hashing_unavailable("the token could not be read")
            }
            LoadPeerTokenError::Backbone(error) => from_backbone(error, &LOADING_A_TOKEN),
            LoadPeerTokenError::Storage(error) => from_repository(&error),
        }
    }
}

impl From<ListTokensError> for ApiError {
    fn from(error: ListTokensError) -> Self {
        match error {
            ListTokensError::Lookup(error) => from_repository(&error),
        }
    }
}

impl From<ManageTokenError> for ApiError {
    fn from(error: ManageTokenError) -> Self {
        match error {
            ManageTokenError::Validation(error) => Self::validation(error.message),
            ManageTokenError::NotFound => {
                Self::new(StatusCode::NOT_FOUND, RECORD_NOT_FOUND, error.to_string())
            }
            ManageTokenError::Forbidden(message) => {
                Self::new(StatusCode::FORBIDDEN, "error.platform.forbidden", message)
            }
            ManageTokenError::Backbone(error) => from_backbone(error, &DELETING_A_TOKEN),
            ManageTokenError::Storage(error) => from_repository(&error),
        }
    }
}

/// Created on the Backbone, not stored here: whether it was withdrawn says what was shared.
fn token_not_stored(
    token_id: &TokenId,
    source: &RepositoryError,
    withdrawal: &Withdrawal,
) -> ApiError {
    let message = match withdrawal {
        Withdrawal::Deleted => format!(
            "The token could not be stored locally, so it was deleted on the Backbone again (Token {token_id}): \
             nothing was shared. Send the request again to create a new token."
        ),
        Withdrawal::Failed(_) => format!(
            "Token {token_id} was created on the Backbone but could not be stored locally, and deleting it \
             on the Backbone failed too: it stays there until it expires, but its reference was never given out. \
             Send the request again to create a new token."
        ),
    };
    ApiError::new(not_stored_status(source), TOKEN_NOT_STORED, message)
}

/// 503 when the password hashing pool is gone; `outcome` says what did not happen.
fn password_hashing_unavailable(outcome: &str) -> ApiError {
    ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        PASSWORD_HASHING_UNAVAILABLE,
        format!(
            "Passwords cannot be hashed right now, so {outcome}. Try again later; \
             the operator must restart the service if this persists."
        ),
    )
}

impl From<UploadOwnFileError> for ApiError {
    fn from(error: UploadOwnFileError) -> Self {
        match error {
            UploadOwnFileError::Validation(error) => Self::validation(error.message),
            UploadOwnFileError::Backbone(error) => from_backbone(error, &UPLOADING_A_FILE),
            UploadOwnFileError::NotStored {
                file_id,
                source,
                withdrawal,
            } => {
                let message = match withdrawal {
                    Withdrawal::Deleted => format!(
                        "The File could not be stored locally, so it was deleted on the Backbone again (File {file_id}): \
                         nothing was shared. Upload it again."
                    ),
                    Withdrawal::Failed(_) => format!(
                        "File {file_id} was uploaded to the Backbone but could not be stored locally, and deleting it \
                         on the Backbone failed too: it stays there until it expires, but no reference to it was given out. \
                         Upload it again."
                    ),
                };
                Self::new(not_stored_status(&source), FILE_NOT_STORED, message)
            }
        }
    }
}

impl From<IdempotencyError> for ApiError {
    fn from(error: IdempotencyError) -> Self {
        match error {
            IdempotencyError::KeyReused(_) => Self::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                IDEMPOTENCY_KEY_REUSED,
                "This Idempotency-Key was already used for another request (method, path or \
                 body differ). Send a new key for a new request, or repeat the first request \
                 exactly to get its answer.",
            ),
            IdempotencyError::StillRunning { .. } => Self {
                retry_after: Some(Duration::from_secs(1)),
                ..Self::new(
                    StatusCode::CONFLICT,
                    IDEMPOTENT_REQUEST_RUNNING,
                    "The first request with this Idempotency-Key is still running. Retry with \
                     the same key and body later to get its answer.",
                )
            },
            IdempotencyError::Repository(error) => from_repository(&error),
            // `IdempotencyError` is non-exhaustive; a new case is a bug until it is mapped.
            _ => Self::unexpected(),
        }
    }
}

impl From<GetFileError> for ApiError {
    fn from(error: GetFileError) -> Self {
        match error {
            GetFileError::Validation(error) => Self::validation(error.message),
            GetFileError::NotFound => {
                Self::new(StatusCode::NOT_FOUND, RECORD_NOT_FOUND, error.to_string())
            }
            GetFileError::Lookup(error) => from_repository(&error),
        }
    }
}

impl From<DownloadFileError> for ApiError {
    fn from(error: DownloadFileError) -> Self {
        match error {
            DownloadFileError::Validation(error) => Self::validation(error.message),
            DownloadFileError::NotFound => {
                Self::new(StatusCode::NOT_FOUND, RECORD_NOT_FOUND, error.to_string())
            }
            DownloadFileError::Lookup(error) => from_repository(&error),
            DownloadFileError::ContentNotStored(_) => Self::new(
                StatusCode::CONFLICT,
                FILE_CONTENT_NOT_STORED,
                error.to_string(),
            ),
            DownloadFileError::GoneFromBackbone(_) => {
                Self::new(StatusCode::NOT_FOUND, FILE_GONE, error.to_string())
            }
            DownloadFileError::Backbone(error) => from_backbone(error, &DOWNLOADING_A_FILE),
            // The Backbone served bytes that are not the File's: its fault, not the client's.
            DownloadFileError::Corrupt { .. } => Self::new(
                StatusCode::BAD_GATEWAY,
                CIPHER_MISMATCH,
                "The content the Backbone served does not match the File's hashes, so it was not handed out. Try again later.",
            ),
        }
    }
}

impl From<LoadPeerFileError> for ApiError {
    fn from(error: LoadPeerFileError) -> Self {
        let bad_request = |code: &'static str, error: &LoadPeerFileError| {
            Self::new(StatusCode::BAD_REQUEST, code, error.to_string())
        };
        match error {
            LoadPeerFileError::InvalidReference(_) => {
                bad_request("error.runtime.invalidReference", &error)
            }
            LoadPeerFileError::NoPasswordProvided => {
                bad_request("error.transport.noPasswordProvided", &error)
            }
            LoadPeerFileError::NotIntendedForYou => {
                bad_request("error.transport.general.notIntendedForYou", &error)
            }
            LoadPeerFileError::InvalidTokenContent => {
                bad_request("error.runtime.invalidTokenContent", &error)
            }
            LoadPeerFileError::InvalidMetadata(_) => {
                bad_request("error.transport.files.invalidMetadata", &error)
            }
            LoadPeerFileError::NotFound(message) => {
                Self::new(StatusCode::NOT_FOUND, RECORD_NOT_FOUND, message)
            }
            LoadPeerFileError::PasswordHashing(_) => {
                password_hashing_unavailable("the token could not be read")
            }
            LoadPeerFileError::Backbone(error) => from_backbone(error, &LOADING_A_FILE),
            LoadPeerFileError::Storage(error) => from_repository(&error),
        }
    }
}

impl From<ManageFileError> for ApiError {
    fn from(error: ManageFileError) -> Self {
        match error {
            ManageFileError::Validation(error) => Self::validation(error.message),
            ManageFileError::NotFound => {
                Self::new(StatusCode::NOT_FOUND, RECORD_NOT_FOUND, error.to_string())
            }
            ManageFileError::Forbidden(message) => {
                Self::new(StatusCode::FORBIDDEN, "error.platform.forbidden", message)
            }
            ManageFileError::Backbone(error) => from_backbone(error, &CHANGING_A_FILE),
            ManageFileError::Storage(error) => from_repository(&error),
        }
    }
}

/// 503 when the database is down (trying again later can work), else 500.
fn not_stored_status(source: &RepositoryError) -> StatusCode {
    match source {
        RepositoryError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

fn from_repository(error: &RepositoryError) -> ApiError {
    match error {
        RepositoryError::Unavailable(_) => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            DATABASE_UNAVAILABLE,
            "The database is unavailable. Try again later.",
        ),
        _ => ApiError::unexpected(),
    }
}

/// What a Backbone call was for, so its failures say what did not happen.
#[derive(Debug)]
pub struct BackboneCall {
    /// Completes "The Backbone failed to …".
    pub action: &'static str,
    /// What the caller can rely on when the Backbone did not answer.
    pub outcome_unknown: &'static str,
}

pub const CREATING_A_TOKEN: BackboneCall = BackboneCall {
    action: "create the token",
    outcome_unknown: "No token was stored",
};

pub const LOADING_A_TOKEN: BackboneCall = BackboneCall {
    action: "serve the token",
    outcome_unknown: "Nothing was loaded",
};

pub const DELETING_A_TOKEN: BackboneCall = BackboneCall {
    action: "delete the token",
    outcome_unknown: "The token is still stored here",
};

pub const CHANGING_A_FILE: BackboneCall = BackboneCall {
    action: "change the File",
    outcome_unknown: "Nothing was changed here",
};

pub const LOADING_A_FILE: BackboneCall = BackboneCall {
    action: "serve the token or the File's metadata",
    outcome_unknown: "Nothing was loaded",
};

pub const DOWNLOADING_A_FILE: BackboneCall = BackboneCall {
    action: "serve the File's content",
    outcome_unknown: "Nothing was downloaded",
};

pub const UPLOADING_A_FILE: BackboneCall = BackboneCall {
    action: "store the File",
    outcome_unknown: "No File was stored here",
};

/// Our honest statuses for Backbone failures (the reference answers 500 to all of them).
fn from_backbone(error: BackboneError, call: &BackboneCall) -> ApiError {
    let BackboneCall {
        action,
        outcome_unknown,
    } = call;
    match error {
        BackboneError::Rejected { code, message } => {
            ApiError::new(StatusCode::BAD_REQUEST, VALIDATION, message)
                .with_foreign_code(Some(code))
        }
        BackboneError::QuotaExhausted {
            message,
            retry_after,
        } => ApiError {
            retry_after,
            ..ApiError::new(StatusCode::TOO_MANY_REQUESTS, PLATFORM_QUOTA, message)
        },
        BackboneError::ServerError { code, .. } => ApiError::new(
            StatusCode::BAD_GATEWAY,
            PLATFORM_UNEXPECTED,
            format!("The Backbone failed to {action}. Try again later."),
        )
        .with_foreign_code(code),
        BackboneError::Unavailable { .. } => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            BACKBONE_UNAVAILABLE,
            "The Backbone is unavailable. Try again later.",
        ),
        BackboneError::Timeout(_) => ApiError::new(
            StatusCode::GATEWAY_TIMEOUT,
            BACKBONE_TIMEOUT,
            format!("The Backbone did not answer in time. {outcome_unknown}; try again."),
        ),
        BackboneError::ConnectionLost { .. } => ApiError::new(
            StatusCode::BAD_GATEWAY,
            BACKBONE_CONNECTION_LOST,
            format!(
                "The connection to the Backbone broke before it answered. {outcome_unknown}; try again."
            ),
        ),
        BackboneError::AuthenticationFailed { .. } => ApiError::new(
            StatusCode::BAD_GATEWAY,
            BACKBONE_AUTHENTICATION,
            "The Backbone refused this Connector's credentials. The operator must check the platform client and device credentials.",
        ),
        BackboneError::UnexpectedResponse { .. } => ApiError::new(
            StatusCode::BAD_GATEWAY,
            BACKBONE_UNEXPECTED,
            "The Backbone answered in an unexpected way. Try again later.",
        ),
    }
}
