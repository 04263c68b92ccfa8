//! The test vectors of `identity-onboarding.md` §6, computed with the official
//! `@nmshd/transport` and `@nmshd/crypto`: what this crate must produce byte for byte.

use super::*;
use crate::date::parse_iso8601;
use crate::encoding::{b64std, b64url, from_b64std};
use crate::ids::{ChallengeId, IdentityAddress};

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn seed(hex_seed: &str) -> [u8; 32] {
    let bytes: Vec<u8> = (0..hex_seed.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex_seed[i..i + 2], 16).unwrap())
        .collect();
    bytes.try_into().unwrap()
}

/// The challenge of vectors A and B, as the Backbone would answer it.
fn challenge() -> Challenge {
    Challenge {
        id: ChallengeId::parse("CHLtestChallenge0001").unwrap(),
        expires_at: parse_iso8601("2025-01-01T12:10:00.123Z").unwrap(),
    }
}

fn address(pair: &SigningKeyPair, domain: &str) -> String {
    let domain = AddressDomain::parse(domain).unwrap();
    IdentityAddress::derive(&pair.public_key(), &domain).to_string()
}

const CHALLENGE_STRING: &str =
    r#"{"expiresAt":"2025-01-01T12:10:00.123Z","id":"CHLtestChallenge0001","type":"Identity"}"#;

#[test]
fn vector_a_keys() {
    let pair = SigningKeyPair::from_seed(seed(
        "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
    ));
    let public_key = pair.public_key();
    assert_eq!(
        hex(public_key.as_bytes()),
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
    );
    let libsodium_secret_key = [pair.seed().as_slice(), public_key.as_bytes()].concat();
    assert_eq!(
        hex(&libsodium_secret_key),
        "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
    );
    assert_eq!(
        format!(
            r#"{{"prv":"{}","alg":3,"@type":"CryptoSignaturePrivateKey"}}"#,
            b64url(&libsodium_secret_key)
        ),
        r#"{"prv":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2DXWpgBgrEKt9VL_tPJZAc6DuFy89qmIyWvAhpo9wdRGg","alg":3,"@type":"CryptoSignaturePrivateKey"}"#
    );
    assert_eq!(
        b64url(public_key.as_bytes()),
        "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"
    );
    assert_eq!(
        b64std(public_key.as_bytes()),
        "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="
    );
    assert_eq!(
        public_key.to_json(true),
        r#"{"pub":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","alg":3,"@type":"CryptoSignaturePublicKey"}"#
    );
    assert_eq!(
        public_key.to_json(false),
        r#"{"pub":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","alg":3}"#
    );
    assert_eq!(
        public_key.to_b64url(true),
        "eyJwdWIiOiIxMXFZQVlLeENyZlZTXzdUeVdRSE9nN2hjdlBhcGlNbHJ3SWFhUGNIVVJvIiwiYWxnIjozLCJAdHlwZSI6IkNyeXB0b1NpZ25hdHVyZVB1YmxpY0tleSJ9"
    );
    assert_eq!(
        public_key.to_b64url(false),
        "eyJwdWIiOiIxMXFZQVlLeENyZlZTXzdUeVdRSE9nN2hjdlBhcGlNbHJ3SWFhUGNIVVJvIiwiYWxnIjozfQ"
    );
}

#[test]
fn vector_a_challenge_signature_and_address() {
    let pair = SigningKeyPair::from_seed(seed(
        "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
    ));
    let signing_string = challenge().signing_string();
    assert_eq!(signing_string, CHALLENGE_STRING);
    assert_eq!(
        hex(signing_string.as_bytes()),
        "7b22657870697265734174223a22323032352d30312d30315431323a31303a30302e3132335a222c226964223a2243484c746573744368616c6c656e676530303031222c2274797065223a224964656e74697479227d"
    );
    let signature = pair.sign(signing_string.as_bytes());
    assert_eq!(
        hex(signature.as_bytes()),
        "73becb812950d0bbc156e9f832f1a444976d00ac33e21ed91e47e4ebf1a4a08fa7849008059a5c09be457364e37a7ef0e5fba5665fd5156cb48d0d3e52a3900f"
    );
    assert_eq!(
        b64url(signature.as_bytes()),
        "c77LgSlQ0LvBVun4MvGkRJdtAKwz4h7ZHkfk6_GkoI-nhJAIBZpcCb5Fc2Tjen7w5fulZl_VFWy0jQ0-UqOQDw"
    );
    assert_eq!(
        signature.to_json(),
        r#"{"sig":"c77LgSlQ0LvBVun4MvGkRJdtAKwz4h7ZHkfk6_GkoI-nhJAIBZpcCb5Fc2Tjen7w5fulZl_VFWy0jQ0-UqOQDw","alg":2,"@type":"CryptoSignature"}"#
    );
    assert_eq!(
        signature.to_b64url(),
        "eyJzaWciOiJjNzdMZ1NsUTBMdkJWdW40TXZHa1JKZHRBS3d6NGg3WkhrZms2X0drb0ktbmhKQUlCWnBjQ2I1RmMyVGplbjd3NWZ1bFpsX1ZGV3kwalEwLVVxT1FEdyIsImFsZyI6MiwiQHR5cGUiOiJDcnlwdG9TaWduYXR1cmUifQ"
    );
    assert!(
        pair.public_key()
            .verify(signing_string.as_bytes(), &signature)
    );
    assert_eq!(
        address(&pair, "localhost"),
        "did:e:localhost:dids:63c98b9b34bd7ce8a891f9"
    );
}

#[test]
fn vector_b() {
    let pair = SigningKeyPair::from_seed(seed(
        "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
    ));
    let public_key = pair.public_key();
    assert_eq!(
        hex(public_key.as_bytes()),
        "03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8"
    );
    assert_eq!(
        b64url(public_key.as_bytes()),
        "A6EHv_POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg"
    );
    assert_eq!(
        public_key.to_b64url(true),
        "eyJwdWIiOiJBNkVIdl9QT0VMNGRjTjBZNTB2QW1XZmsxakNicFExZkhkeUdaQkpWTWJnIiwiYWxnIjozLCJAdHlwZSI6IkNyeXB0b1NpZ25hdHVyZVB1YmxpY0tleSJ9"
    );
    assert_eq!(
        public_key.to_b64url(false),
        "eyJwdWIiOiJBNkVIdl9QT0VMNGRjTjBZNTB2QW1XZmsxakNicFExZkhkeUdaQkpWTWJnIiwiYWxnIjozfQ"
    );
    let signing_string = challenge().signing_string();
    assert_eq!(signing_string, CHALLENGE_STRING);
    let signature = pair.sign(signing_string.as_bytes());
    assert_eq!(
        hex(signature.as_bytes()),
        "28753137187519176560024810f5cd3f0b4b0ee4e25bac64d859e82b78d88e58d8c5720690a62dea858486094a6fff4399bdb06661cb9dcf310112fca82bef00"
    );
    assert_eq!(
        b64url(signature.as_bytes()),
        "KHUxNxh1GRdlYAJIEPXNPwtLDuTiW6xk2FnoK3jYjljYxXIGkKYt6oWEhglKb_9Dmb2wZmHLnc8xARL8qCvvAA"
    );
    assert_eq!(
        signature.to_b64url(),
        "eyJzaWciOiJLSFV4TnhoMUdSZGxZQUpJRVBYTlB3dExEdVRpVzZ4azJGbm9LM2pZamxqWXhYSUdrS1l0Nm9XRWhnbEtiXzlEbWIyd1ptSExuYzh4QVJMOHFDdnZBQSIsImFsZyI6MiwiQHR5cGUiOiJDcnlwdG9TaWduYXR1cmUifQ"
    );
    assert_eq!(
        address(&pair, "localhost"),
        "did:e:localhost:dids:76a33ea3665eef489c70bb"
    );
    assert_eq!(
        address(&pair, "prod.enmeshed.eu"),
        "did:e:prod.enmeshed.eu:dids:76a33ea3665eef489c7012"
    );
}

/// Vector C is vector A's key as the Backbone's .NET test SDK encodes it: the same address, and
/// (Ed25519 being deterministic) the same signature of the SDK's challenge string.
#[test]
fn vector_c_same_key_same_address() {
    let pair = SigningKeyPair::from_seed(seed(
        "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
    ));
    assert_eq!(
        address(&pair, "localhost"),
        "did:e:localhost:dids:63c98b9b34bd7ce8a891f9"
    );
    let sdk_challenge = r#"{"Id":"CHLtestChallenge0001","ExpiresAt":"2025-01-01T12:10:00.123Z","CreatedBy":null,"CreatedByDevice":null}"#;
    let signature = pair.sign(sdk_challenge.as_bytes());
    assert_eq!(
        hex(signature.as_bytes()),
        "d5da9c966604a631e2363d9311eef3e658311e5e598523f88478e5476e453c2c0e24f1536125da1f7c402dd5b8fa0a6a27fc1fc20ebd571b2eb33e978f6b0d03"
    );
    assert_eq!(
        b64std(signature.as_bytes()),
        "1dqclmYEpjHiNj2TEe7z5lgxHl5ZhSP4hHjlR25FPCwOJPFTYSXaH3xALdW4+gpqJ/wfwg69Vxsusz6Xj2sNAw=="
    );
    assert_eq!(
        b64std(pair.public_key().as_bytes()),
        "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="
    );
}

/// The Backbone's own Ed25519 fixture (NSec, raw 32-byte seed): what it verifies, this verifies,
/// and this seed signs to the same bytes.
#[test]
fn vector_d_backbone_fixture() {
    let public_key = SignaturePublicKey::from_bytes(
        from_b64std("pvJlACBFHHNOnGjpEE0ZTGSm1UDkKJmxV8PPQb87JBM=")
            .unwrap()
            .try_into()
            .unwrap(),
    );
    let signature = Signature::from_bytes(
        from_b64std("Yzi2JHvS46CrJrJwuEq4TOY5LCQL8AAQjw6JojULaZuDCFKWBORS1cEWYpUnGXEjK/VvXTsoJ9J1S7JTMfzMAQ==")
            .unwrap()
            .try_into()
            .unwrap(),
    );
    assert!(public_key.verify(b"Test", &signature));
    assert!(!public_key.verify(b"test", &signature));

    let pair = SigningKeyPair::from_seed(
        from_b64std("0G8hUwUHf/BLg+BX/MXihPQCi5G1cYPmPxo9/OfWAXE=")
            .unwrap()
            .try_into()
            .unwrap(),
    );
    assert_eq!(pair.public_key(), public_key);
    assert_eq!(pair.sign(b"Test"), signature);
}
