//! Schemas of the bodies the routes read and write. Types of the inner crates stay free of
//! utoipa, so the ones mirrored here take their patterns and enumerations from the constants the
//! code itself validates with, and `tests.rs` checks them against what the code serializes.

#![expect(
    dead_code,
    reason = "schema-only mirrors: utoipa reads their shape, nothing constructs them"
)]

use std::borrow::Cow;

use crate::http::wire::{ADDRESS_PATTERN, FILE_ID_PATTERN};
use domain::PasswordLocationIndicator;
use domain::date::ISO8601_PATTERN;
use utoipa::openapi::schema::{
    AdditionalProperties, AnyOfBuilder, KnownFormat, Object, ObjectBuilder, OneOfBuilder, Schema,
    SchemaFormat, SchemaType, Type,
};
use utoipa::openapi::{Ref, RefOr};
use utoipa::{PartialSchema, ToSchema};

/// How the service writes instants: UTC with milliseconds (`YYYY-MM-DDTHH:mm:ss.SSSZ`).
pub const DATE_PATTERN: &str =
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z$";
const TOKEN_ID_PATTERN: &str = "^TOK[A-Za-z0-9]{17}$";
const DEVICE_ID_PATTERN: &str = "^DVC[A-Za-z0-9]{17}$";
const STORED_FILE_ID_PATTERN: &str = "^FIL[A-Za-z0-9]{17}$";
const SECRET_KEY_PATTERN: &str = "^[A-Za-z0-9_-]{43}$";

fn string(pattern: &str, description: &str) -> ObjectBuilder {
    Object::builder()
        .schema_type(Type::String)
        .pattern(Some(pattern))
        .description(Some(description))
}

/// The path `id`: the reference's unanchored pattern, so `FIL…` with anything around it passes
/// validation (and then names no stored File: 404).
pub fn file_id_parameter() -> Object {
    string(FILE_ID_PATTERN, "The id of a File stored in this service.").build()
}

fn iso8601() -> Object {
    string(
        ISO8601_PATTERN,
        "An ISO 8601 date-time (the reference's own expression: calendar, week or ordinal dates, \
         optional time and offset); it must lie in the future.",
    )
    .build()
}

fn address(description: &str) -> Object {
    string(ADDRESS_PATTERN, description).build()
}

fn instant(description: &str) -> Object {
    string(DATE_PATTERN, description)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)))
        .build()
}

fn always(value: impl Into<serde_json::Value>, schema_type: Type, description: &str) -> Object {
    Object::builder()
        .schema_type(schema_type)
        .enum_values(Some([value.into()]))
        .description(Some(description))
        .build()
}

fn password_is_pin() -> Object {
    always(
        true,
        Type::Boolean,
        "Only `true`: the password is a PIN and must then be 4 to 16 digits. Leave it out \
         otherwise.",
    )
}

fn request_expires_at() -> Object {
    iso8601()
}

fn request_for_identity() -> Object {
    address("Only this identity may fetch the token from the Backbone.")
}

/// Not validated, as in the reference: any value is taken, only `true` changes anything.
fn new_qr_code_format() -> Object {
    Object::builder()
        .schema_type(SchemaType::AnyValue)
        .description(Some(
            "`/api/v2` only: `true` makes a QR code encode `reference.url` instead of \
             `nmshd://tr#<reference.truncated>`; any other value is ignored, not refused. \
             `/api/core/v1` always encodes the url.",
        ))
        .build()
}

/// The body of `POST …/Files/{id}/Token`. Every field is optional; a missing or empty body is
/// `{}`, and keys not listed here are ignored.
#[derive(Debug, ToSchema)]
#[schema(as = CreateTokenForFileRequest)]
#[serde(rename_all = "camelCase")]
pub struct CreateTokenForFileRequestBody {
    /// The token's expiry; default: the File's expiry.
    #[schema(schema_with = request_expires_at, required = false)]
    expires_at: Option<String>,
    /// `false` stores the token in this service; default `true`. A QR code is always ephemeral.
    #[schema(nullable = false)]
    ephemeral: Option<bool>,
    #[schema(schema_with = request_for_identity, required = false)]
    for_identity: Option<String>,
    #[schema(nullable = false)]
    password_protection: Option<PasswordProtectionRequest>,
    #[serde(rename = "newQRCodeFormat")]
    #[schema(schema_with = new_qr_code_format, required = false)]
    new_qr_code_format: Option<serde_json::Value>,
}

fn own_token_content() -> Object {
    Object::builder()
        .schema_type(Type::Object)
        .additional_properties(Some(AdditionalProperties::FreeForm(true)))
        .description(Some(
            "What the token carries, any JSON object (kept with its members in their order); \
             one typed `TokenContentFile` must be a valid one.",
        ))
        .build()
}

fn own_token_expires_at() -> Object {
    string(
        ISO8601_PATTERN,
        "The token's expiry, an ISO 8601 date-time in the future.",
    )
    .build()
}

/// The body of `POST …/Tokens/Own`; other keys are refused.
#[derive(Debug, ToSchema)]
#[schema(as = CreateOwnTokenRequest)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateOwnTokenRequestBody {
    #[schema(schema_with = own_token_content)]
    content: serde_json::Value,
    #[schema(schema_with = own_token_expires_at)]
    expires_at: String,
    /// `true` keeps the token out of this service's store; default `false` (stored).
    #[schema(nullable = false)]
    ephemeral: Option<bool>,
    #[schema(schema_with = request_for_identity, required = false)]
    for_identity: Option<String>,
    #[schema(nullable = false)]
    password_protection: Option<PasswordProtectionRequest>,
}

/// The body of `POST …/Tokens/Peer`; other keys are refused.
#[derive(Debug, ToSchema)]
#[schema(as = LoadPeerTokenRequest)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LoadPeerTokenRequestBody {
    /// A token reference: truncated (`VE9L…`) or its url.
    reference: String,
    /// The token's password or PIN, when the reference says it has one.
    #[schema(nullable = false)]
    password: Option<String>,
    /// `true` keeps the token out of this service's store; default `false` (stored).
    #[schema(nullable = false)]
    ephemeral: Option<bool>,
}

/// `200` with the list on `/api/v2`.
#[derive(Debug, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenListResult {
    result: Vec<TokenDto>,
}

/// `200` with the list on `/api/core/v1`.
#[derive(Debug, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenListResultV7 {
    result: Vec<TokenDtoV7>,
}

/// Protects the token with a password or PIN.
#[derive(Debug, ToSchema)]
#[schema(as = PasswordProtectionRequest)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PasswordProtectionRequest {
    #[schema(min_length = 1)]
    password: String,
    #[schema(schema_with = password_is_pin, required = false)]
    password_is_pin: Option<bool>,
    #[schema(nullable = false)]
    password_location_indicator: Option<LocationIndicator>,
}

/// Where the recipient finds the password: a free number 50–99 or one of six names.
#[derive(Debug)]
pub struct LocationIndicator;

impl PartialSchema for LocationIndicator {
    fn schema() -> RefOr<Schema> {
        let free: Vec<u8> = (0..=u8::MAX)
            .filter(|n| PasswordLocationIndicator::from_free_number(*n).is_some())
            .collect();
        let names: Vec<&str> = (0..=u8::MAX)
            .filter_map(PasswordLocationIndicator::from_number)
            .filter_map(PasswordLocationIndicator::name)
            .collect();
        OneOfBuilder::new()
            .item(
                Object::builder()
                    .schema_type(Type::Integer)
                    .minimum(free.first().copied())
                    .maximum(free.last().copied()),
            )
            .item(
                Object::builder()
                    .schema_type(Type::String)
                    .enum_values(Some(names)),
            )
            .description(Some(
                "Where the recipient finds the password: a number from 50 to 99 or one of the \
                 names (case-sensitive).",
            ))
            .into()
    }
}

impl ToSchema for LocationIndicator {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("PasswordLocationIndicator")
    }
}

/// `201` with JSON on `/api/v2`.
#[derive(Debug, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenResult {
    result: TokenDto,
}

/// `201` with JSON on `/api/core/v1`.
#[derive(Debug, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenResultV7 {
    result: TokenDtoV7,
}

fn token_id() -> Object {
    string(TOKEN_ID_PATTERN, "The Backbone's id of the token.").build()
}

fn is_own() -> Object {
    Object::builder()
        .schema_type(Type::Boolean)
        .description(Some(
            "`true`: this service created the token; `false`: a peer's, loaded by reference \
             (`POST …/Tokens/Peer`).",
        ))
        .build()
}

fn created_by() -> Object {
    address("The identity that created the token.")
}

fn created_by_device() -> Object {
    string(DEVICE_ID_PATTERN, "The device that created the token.").build()
}

fn created_at() -> Object {
    instant("When the Backbone created the token.")
}

fn expires_at() -> Object {
    instant("The token's effective expiry.")
}

fn for_identity() -> Object {
    address("The only identity that may fetch the token.")
}

/// A Token as the Connector v6 answers it (`/api/v2`); optional fields are left out, never null.
#[derive(Debug, ToSchema)]
#[schema(as = TokenDTO)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TokenDto {
    #[schema(schema_with = token_id)]
    id: String,
    #[schema(schema_with = is_own)]
    is_own: bool,
    #[schema(schema_with = created_by)]
    created_by: String,
    #[schema(schema_with = created_by_device)]
    created_by_device: String,
    content: TokenContent,
    #[schema(schema_with = created_at)]
    created_at: String,
    #[schema(schema_with = expires_at)]
    expires_at: String,
    #[schema(schema_with = for_identity, required = false)]
    for_identity: Option<String>,
    #[schema(nullable = false)]
    password_protection: Option<PasswordProtection>,
    /// Equal to `reference.truncated` (v6 clients read this one).
    truncated_reference: String,
    reference: TokenReference,
    /// Whether the token was NOT stored in this service.
    is_ephemeral: bool,
}

/// The Connector v7 Token (`/api/core/v1`): the v6 one without `truncatedReference`.
#[derive(Debug)]
pub struct TokenDtoV7;

impl PartialSchema for TokenDtoV7 {
    fn schema() -> RefOr<Schema> {
        let mut schema = TokenDto::schema();
        if let RefOr::T(Schema::Object(object)) = &mut schema {
            object.properties.shift_remove("truncatedReference");
            object.required.retain(|name| name != "truncatedReference");
            object.description = Some(
                "A Token as the Connector v7 answers it (`/api/core/v1`): the v6 Token without \
                 `truncatedReference`."
                    .into(),
            );
        }
        schema
    }
}

impl ToSchema for TokenDtoV7 {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("TokenDTOv7")
    }

    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        <TokenDto as ToSchema>::schemas(schemas);
    }
}

/// What a token carries: a [`TokenContentFile`] for a token that shares a File, else any JSON
/// object its creator wrote. `anyOf`, since a `TokenContentFile` is a JSON object too.
#[derive(Debug)]
pub struct TokenContent;

impl PartialSchema for TokenContent {
    fn schema() -> RefOr<Schema> {
        AnyOfBuilder::new()
            .item(Ref::from_schema_name(TokenContentFile::name()))
            .item(JsonObject::schema())
            .description(Some(
                "The decrypted content: a `TokenContentFile` for a token that shares a File, \
                 otherwise the JSON object the token's creator wrote, with its members in their \
                 order.",
            ))
            .into()
    }
}

impl ToSchema for TokenContent {
    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        schemas.push((
            TokenContentFile::name().into_owned(),
            TokenContentFile::schema(),
        ));
        <TokenContentFile as ToSchema>::schemas(schemas);
    }
}

fn content_type() -> Object {
    always("TokenContentFile", Type::String, "The content's type.")
}

fn stored_file_id() -> Object {
    string(STORED_FILE_ID_PATTERN, "The shared File.").build()
}

/// What the token carries (encrypted on the Backbone): the File's id and key.
#[derive(Debug, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TokenContentFile {
    #[serde(rename = "@type")]
    #[schema(schema_with = content_type)]
    kind: String,
    #[schema(schema_with = stored_file_id)]
    file_id: String,
    secret_key: SecretKey,
}

fn secret_key() -> Object {
    string(SECRET_KEY_PATTERN, "32 bytes, base64url without padding.").build()
}

fn algorithm() -> Object {
    always(3, Type::Integer, "3 = XChaCha20-Poly1305.")
}

/// The File's secret key.
#[derive(Debug, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SecretKey {
    #[schema(schema_with = secret_key)]
    key: String,
    #[schema(schema_with = algorithm)]
    alg: u8,
}

/// The protection as requested: the password in clear text, `passwordIsPin` only when true, the
/// indicator by name for the named places and by number for 50–99.
#[derive(Debug, ToSchema)]
#[schema(as = TokenPasswordProtection)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PasswordProtection {
    #[schema(min_length = 1)]
    password: String,
    #[schema(schema_with = password_is_pin, required = false)]
    password_is_pin: Option<bool>,
    #[schema(nullable = false)]
    password_location_indicator: Option<LocationIndicator>,
}

fn url() -> Object {
    Object::builder()
        .schema_type(Type::String)
        .format(Some(SchemaFormat::Custom("uri".into())))
        .description(Some(
            "`<Backbone base url>/r/<token id>#<key and password flags>` for apps and browsers.",
        ))
        .build()
}

/// How a peer finds and opens the token.
#[derive(Debug, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenReference {
    /// Base64 of `<token id>|<alg>|<key>|…`, the form enmeshed apps read.
    truncated: String,
    #[schema(schema_with = url)]
    url: String,
}

/// The QR code of the reference, as a PNG.
#[derive(Debug)]
pub struct QrCodePng;

impl PartialSchema for QrCodePng {
    fn schema() -> RefOr<Schema> {
        Object::builder()
            .schema_type(Type::String)
            .content_media_type("image/png")
            .description(Some(
                "A QR code (error correction M, 4 px per module, quiet zone of 4 modules) whose \
                 text is `nmshd://tr#<reference.truncated>` on `/api/v2`, or `reference.url` with \
                 `\"newQRCodeFormat\": true` and always on `/api/core/v1`.",
            ))
            .into()
    }
}

impl ToSchema for QrCodePng {}

/// Any JSON object (the OpenAPI document itself).
#[derive(Debug)]
pub struct JsonObject;

impl PartialSchema for JsonObject {
    fn schema() -> RefOr<Schema> {
        Object::builder()
            .schema_type(Type::Object)
            .additional_properties(Some(AdditionalProperties::FreeForm(true)))
            .into()
    }
}

impl ToSchema for JsonObject {}

/// An HTML page.
#[derive(Debug)]
pub struct Html;

impl PartialSchema for Html {
    fn schema() -> RefOr<Schema> {
        Object::builder().schema_type(Type::String).into()
    }
}

impl ToSchema for Html {}
