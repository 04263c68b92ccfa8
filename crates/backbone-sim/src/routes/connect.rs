//! `POST /connect/token`: the OAuth password grant, answered like OpenIddict (request checks,
//! client authentication) and the Backbone's controller (user checks with lockout).

use std::sync::Mutex;

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Map, Value, json};

use super::{OPENIDDICT_ERRORS, form_pairs};
use crate::auth::{LoginError, LoginRequest};
use crate::lock;
use crate::state::SimState;

pub(crate) fn configure(config: &mut web::ServiceConfig) {
    config.service(
        web::resource("/connect/token")
            .route(web::post().to(token))
            .default_service(web::to(|| async {
                oauth_error(OAuthError::invalid_request("ID2084", None))
            })),
    );
}

/// An OAuth error response as OpenIddict writes it.
#[derive(Debug)]
struct OAuthError {
    status: StatusCode,
    error: &'static str,
    description: String,
    /// OpenIddict's own errors link their documentation; the Backbone's controller errors don't.
    uri: Option<String>,
}

impl OAuthError {
    fn openiddict(status: StatusCode, error: &'static str, id: &str, description: String) -> Self {
        Self {
            status,
            error,
            description,
            uri: Some(format!("{OPENIDDICT_ERRORS}{id}")),
        }
    }

    fn invalid_request(id: &str, parameter: Option<&str>) -> Self {
        let description = match (id, parameter) {
            ("ID2029", Some(name)) => format!("The mandatory '{name}' parameter is missing."),
            ("ID2081", Some(name)) => format!("The mandatory '{name}' header is missing."),
            ("ID2082", Some(name)) => format!("The specified '{name}' header is invalid."),
            ("ID2059", _) => {
                "The mandatory 'username' and/or 'password' parameters are missing.".to_owned()
            }
            _ => "The specified HTTP method is not valid.".to_owned(),
        };
        Self::openiddict(StatusCode::BAD_REQUEST, "invalid_request", id, description)
    }

    fn from_login(error: &LoginError) -> Self {
        let unauthorized = StatusCode::UNAUTHORIZED;
        match error {
            LoginError::ClientIdMissing => Self::openiddict(
                unauthorized,
                "invalid_client",
                "ID2029",
                "The mandatory 'client_id' parameter is missing.".to_owned(),
            ),
            LoginError::UnknownClient => Self::openiddict(
                unauthorized,
                "invalid_client",
                "ID2052",
                "The specified 'client_id' is invalid.".to_owned(),
            ),
            LoginError::WrongClientSecret => Self::openiddict(
                unauthorized,
                "invalid_client",
                "ID2055",
                "The specified client credentials are invalid.".to_owned(),
            ),
            LoginError::InvalidGrant => Self {
                status: StatusCode::BAD_REQUEST,
                error: "invalid_grant",
                description: "The username/password couple is invalid.".to_owned(),
                uri: None,
            },
            LoginError::LockedOut => Self {
                status: StatusCode::BAD_REQUEST,
                error: "access_denied",
                description:
                    "The user is temporarily locked out, please try again in a few minutes."
                        .to_owned(),
                uri: None,
            },
        }
    }
}

async fn token(
    request: HttpRequest,
    body: web::Bytes,
    state: web::Data<Mutex<SimState>>,
) -> HttpResponse {
    match login(&request, &body, &state) {
        Ok((access_token, expires_in)) => no_store(HttpResponse::Ok()).json(json!({
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": expires_in,
        })),
        Err(error) => oauth_error(error),
    }
}

fn login(
    request: &HttpRequest,
    body: &[u8],
    state: &Mutex<SimState>,
) -> Result<(String, u64), OAuthError> {
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if content_type.is_empty() {
        return Err(OAuthError::invalid_request("ID2081", Some("Content-Type")));
    }
    let is_form = content_type
        .get(.."application/x-www-form-urlencoded".len())
        .is_some_and(|prefix| prefix.eq_ignore_ascii_case("application/x-www-form-urlencoded"));
    if !is_form {
        return Err(OAuthError::invalid_request("ID2082", Some("Content-Type")));
    }
    let form = form_pairs(&String::from_utf8_lossy(body));
    // OAuth parameter names are case-sensitive.
    let param = |name: &str| {
        form.iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.clone())
            .filter(|v| !v.is_empty())
    };
    let Some(grant_type) = param("grant_type") else {
        return Err(OAuthError::invalid_request("ID2029", Some("grant_type")));
    };
    if grant_type != "password" {
        return Err(OAuthError::openiddict(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "ID2032",
            "The specified 'grant_type' is not supported.".to_owned(),
        ));
    }
    let (Some(username), Some(password)) = (param("username"), param("password")) else {
        return Err(OAuthError::invalid_request("ID2059", None));
    };
    let login = LoginRequest {
        client_id: param("client_id"),
        client_secret: param("client_secret"),
        username,
        password,
    };
    let mut state = lock(state);
    let now = state.now();
    let issued = state.accounts.login(&login, now).map_err(|error| {
        tracing::info!(%error, username = %login.username, "login refused");
        OAuthError::from_login(&error)
    })?;
    Ok((issued.access_token, issued.expires_in))
}

fn oauth_error(error: OAuthError) -> HttpResponse {
    let mut body = Map::new();
    body.insert("error".to_owned(), Value::from(error.error));
    body.insert(
        "error_description".to_owned(),
        Value::from(error.description.clone()),
    );
    if let Some(uri) = &error.uri {
        body.insert("error_uri".to_owned(), Value::from(uri.clone()));
    }
    let mut response = no_store(HttpResponse::build(error.status));
    if error.error == "invalid_client" {
        // OpenIddict challenges with the Basic scheme for client authentication failures.
        let mut challenge = format!(
            r#"Basic error="{}", error_description="{}""#,
            error.error, error.description
        );
        if let Some(uri) = &error.uri {
            challenge.push_str(&format!(r#", error_uri="{uri}""#));
        }
        if let Ok(value) = HeaderValue::from_str(&challenge) {
            response.insert_header((header::WWW_AUTHENTICATE, value));
        }
    }
    response.json(Value::Object(body))
}

fn no_store(mut builder: actix_web::HttpResponseBuilder) -> actix_web::HttpResponseBuilder {
    builder
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::PRAGMA, "no-cache"))
        .insert_header((header::EXPIRES, "Thu, 01 Jan 1970 00:00:00 GMT"));
    builder
}
