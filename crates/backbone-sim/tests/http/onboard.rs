//! Onboarding as the two official clients do it, signed with ed25519-dalek: the runtime's
//! encoding (base64url, verbose key JSON, sorted challenge text) and the .NET test SDK's
//! (PascalCase, standard base64, the challenge DTO re-serialized).

use backbone_sim::encoding::{b64std, b64url};
use ed25519_dalek::{Signer, SigningKey};
use reqwest::{Method, Response, StatusCode};
use serde_json::{Value, json};

use crate::support::{Identity, TestSim};

/// The password every Backbone integration test uses (valid under the development policy only).
pub const SDK_PASSWORD: &str = "someDevicePassword";
/// The runtime-style sample password of vector A (valid under the production policy).
pub const STRONG_PASSWORD: &str = "Zx7!kQ2pLm9#Rt4vWy8-Hj3nBc6:Df5gSa1?Ke2uPo7.Xw9";

/// An identity key pair.
pub struct Key(pub SigningKey);

impl Key {
    pub fn from_seed(seed: [u8; 32]) -> Self {
        Self(SigningKey::from_bytes(&seed))
    }

    pub fn random() -> Self {
        Self(SigningKey::generate(&mut rand::rngs::OsRng))
    }

    pub fn public(&self) -> [u8; 32] {
        self.0.verifying_key().to_bytes()
    }

    /// `identityPublicKey` as the runtime sends it: base64url of the verbose key JSON.
    pub fn runtime_public_key(&self) -> String {
        let json = format!(
            r#"{{"pub":"{}","alg":3,"@type":"CryptoSignaturePublicKey"}}"#,
            b64url(self.public())
        );
        b64url(json)
    }

    /// `signature` as the runtime sends it, over `challenge`.
    pub fn runtime_signature(&self, challenge: &str) -> String {
        let sig = self.0.sign(challenge.as_bytes()).to_bytes();
        let json = format!(
            r#"{{"sig":"{}","alg":2,"@type":"CryptoSignature"}}"#,
            b64url(sig)
        );
        b64url(json)
    }

    /// `IdentityPublicKey` as the .NET SDK sends it: `{"alg":3,"pub":"<std>"}`, base64url.
    pub fn sdk_public_key(&self) -> String {
        b64url(format!(r#"{{"alg":3,"pub":"{}"}}"#, b64std(self.public())))
    }

    /// `Signature` as the .NET SDK sends it: standard base64 with padding throughout.
    pub fn sdk_signature(&self, challenge: &str) -> String {
        let sig = self.0.sign(challenge.as_bytes()).to_bytes();
        b64std(format!(r#"{{"alg":2,"sig":"{}"}}"#, b64std(sig)))
    }
}

/// The challenge text the runtime signs: sorted keys, no spaces, `type` Identity.
pub fn runtime_challenge(id: &str, expires_at: &str) -> String {
    format!(r#"{{"expiresAt":"{expires_at}","id":"{id}","type":"Identity"}}"#)
}

/// The challenge text the .NET SDK signs: the DTO re-serialized with PascalCase names.
pub fn sdk_challenge(id: &str, expires_at: &str) -> String {
    format!(r#"{{"Id":"{id}","ExpiresAt":"{expires_at}","CreatedBy":null,"CreatedByDevice":null}}"#)
}

/// The runtime's `POST /api/v2/Identities` body, in its key order.
pub fn runtime_body(key: &Key, challenge: &str, password: &str, client: (&str, &str)) -> Value {
    json!({
        "devicePassword": password,
        "identityPublicKey": key.runtime_public_key(),
        "signedChallenge": { "challenge": challenge, "signature": key.runtime_signature(challenge) },
        "clientId": client.0,
        "clientSecret": client.1,
        "identityVersion": 1,
    })
}

/// The .NET SDK's body (PascalCase, an ignored `CommunicationLanguage`).
pub fn sdk_body(key: &Key, challenge: &str, password: &str, client: (&str, &str)) -> Value {
    json!({
        "ClientId": client.0,
        "ClientSecret": client.1,
        "IdentityPublicKey": key.sdk_public_key(),
        "CommunicationLanguage": "en",
        "DevicePassword": password,
        "IdentityVersion": 1,
        "SignedChallenge": { "Challenge": challenge, "Signature": key.sdk_signature(challenge) },
    })
}

impl TestSim {
    /// `POST /api/v2/Challenges` with `{}` (anonymous unless `caller`); the challenge's
    /// `(id, expiresAt)`.
    pub async fn challenge(&self, caller: Option<&Identity>) -> (String, String) {
        let response = self
            .request(Method::POST, "/api/v2/Challenges", caller)
            .json(&json!({}))
            .send()
            .await
            .expect("request completes");
        assert_eq!(response.status(), StatusCode::CREATED);
        let body: Value = response.json().await.expect("JSON");
        let result = &body["result"];
        (
            result["id"].as_str().expect("id").to_owned(),
            result["expiresAt"].as_str().expect("expiresAt").to_owned(),
        )
    }

    pub async fn post_identity(&self, body: &Value) -> Response {
        self.request(Method::POST, "/api/v2/Identities", None)
            .json(body)
            .send()
            .await
            .expect("request completes")
    }

    /// Onboards `key` the runtime's way with this simulator's client and returns the 201's
    /// `result`.
    pub async fn onboard(&self, key: &Key, password: &str) -> Value {
        let (id, expires_at) = self.challenge(None).await;
        let challenge = runtime_challenge(&id, &expires_at);
        let client = (
            self.client.client_id.as_str(),
            self.client.client_secret.as_str(),
        );
        let response = self
            .post_identity(&runtime_body(key, &challenge, password, client))
            .await;
        assert_eq!(response.status(), StatusCode::CREATED);
        response.json::<Value>().await.expect("JSON")["result"].clone()
    }

    /// Onboards a fresh key and logs its device in.
    pub async fn onboarded_identity(&self) -> Identity {
        let created = self.onboard(&Key::random(), STRONG_PASSWORD).await;
        self.login(onboarded_login(&created, STRONG_PASSWORD)).await
    }

    /// `POST /api/v2/SyncRuns` with the runtime's body and header.
    pub async fn start_sync_run(&self, caller: &Identity, body: Value) -> Response {
        self.request(Method::POST, "/api/v2/SyncRuns", Some(caller))
            .header("x-supported-datawallet-version", "1")
            .json(&body)
            .send()
            .await
            .expect("request completes")
    }

    pub async fn finalize_upgrade(&self, caller: &Identity, id: &str, body: Value) -> Response {
        self.request(
            Method::PUT,
            &format!("/api/v2/SyncRuns/{id}/FinalizeDatawalletVersionUpgrade"),
            Some(caller),
        )
        .json(&body)
        .send()
        .await
        .expect("request completes")
    }
}

/// The login of the device a 201 of `POST /api/v2/Identities` describes.
pub fn onboarded_login(created: &Value, password: &str) -> backbone_sim::SeededDevice {
    backbone_sim::SeededDevice {
        username: created["device"]["username"]
            .as_str()
            .expect("username")
            .parse()
            .expect("USR id"),
        password: password.to_owned(),
        address: created["address"]
            .as_str()
            .expect("address")
            .parse()
            .expect("valid address"),
        device_id: created["device"]["id"]
            .as_str()
            .expect("device id")
            .parse()
            .expect("DVC id"),
    }
}
