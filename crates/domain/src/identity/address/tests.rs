//! §2 of the onboarding spec: the address vectors, and which DID domains are accepted.

use sha2::{Digest, Sha256, Sha512};

use super::*;
use crate::encoding::from_b64std;

fn key(std_b64: &str) -> SignaturePublicKey {
    let bytes: [u8; 32] = from_b64std(std_b64).unwrap().try_into().unwrap();
    SignaturePublicKey::from_bytes(bytes)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn the_spec_address_table_is_reproduced() {
    let rfc8032 = "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=";
    for (public_key, domain, address) in [
        (
            "tB9KFp/YqHrom3m5qUuZsd6l30DkaNjN14SxRw7YZuI=",
            "prod.enmeshed.eu",
            "did:e:prod.enmeshed.eu:dids:56b3f2a0c202e27229aa87",
        ),
        (
            "49fWA+kzWNdCFdo92imTiQ4vUUJsPPLNlcB9udC4ooE=",
            "prod.enmeshed.eu",
            "did:e:prod.enmeshed.eu:dids:06a391378e5df5c1399f77",
        ),
        (
            "rIS4kAzHXT7GgCA6Qm1ANlwM3x12QMSkeprHb6tjPyc=",
            "prod.enmeshed.eu",
            "did:e:prod.enmeshed.eu:dids:ee5966a158f1dc4de5bd5c",
        ),
        (
            "tB9KFp/YqHrom3m5qUuZsd6l30DkaNjN14SxRw7YZuI=",
            "example.com",
            "did:e:example.com:dids:56b3f2a0c202e27229aab6",
        ),
        (
            "fj0o9eOiPRswTZL6j9lE9TRvpDDnPRMF0gJeahz/W2c=",
            "example.com",
            "did:e:example.com:dids:fef1992c5e529adc41328d",
        ),
        (
            rfc8032,
            "localhost",
            "did:e:localhost:dids:63c98b9b34bd7ce8a891f9",
        ),
        (
            rfc8032,
            "prod.enmeshed.eu",
            "did:e:prod.enmeshed.eu:dids:63c98b9b34bd7ce8a8912b",
        ),
        (
            rfc8032,
            "example.com",
            "did:e:example.com:dids:63c98b9b34bd7ce8a891e4",
        ),
    ] {
        let derived =
            IdentityAddress::derive(&key(public_key), &AddressDomain::parse(domain).unwrap());
        assert_eq!(derived.as_str(), address, "{public_key} in {domain}");
        assert_eq!(IdentityAddress::parse(address).unwrap(), derived);
    }
}

#[test]
fn the_intermediate_hashes_of_the_rfc8032_key_match_the_spec() {
    let public_key = key("11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=");
    let sha512 = Sha512::digest(public_key.as_bytes());
    assert_eq!(
        hex(&sha512),
        "0e02a50225b4baaa18a0470ed9bfc7dc032f1724e819e47a23c4f2c32f7506094709688293c479c0534defd3a98b4302187806511b83f12ab575d4144770a9c3"
    );
    assert_eq!(
        hex(&Sha256::digest(sha512)),
        "63c98b9b34bd7ce8a891efb3c07c86cf4c5a20e4f0c2a13b2814dd0c9b785d19"
    );
    assert_eq!(
        hex(&Sha256::digest("did:e:localhost:dids:63c98b9b34bd7ce8a891")[..1]),
        "f9"
    );
}

/// The runtime alone would write this address (its URL host, no override); the Backbone cannot
/// have an IP as its DID domain, so it is refused here and never sent.
#[test]
fn the_runtime_only_ip_address_vector_is_refused() {
    let main = "did:e:127.0.0.1:dids:63c98b9b34bd7ce8a891";
    assert_eq!(hex(&Sha256::digest(main)[..1]), "bb");
    assert!(IdentityAddress::parse(&format!("{main}bb")).is_err());
    assert_eq!(
        AddressDomain::parse("127.0.0.1"),
        Err(AddressDomainError::IpAddress("127.0.0.1".to_owned()))
    );
}

#[test]
fn backbone_did_domains_are_accepted() {
    for domain in [
        "localhost",
        "bkb-nmshd-preprod.nbpdev.de",
        "prod.enmeshed.eu",
        "abc",
    ] {
        assert_eq!(AddressDomain::parse(domain).unwrap().as_str(), domain);
    }
    let longest = format!("{}.com", "a".repeat(41));
    assert_eq!(longest.len(), 45);
    assert!(AddressDomain::parse(&longest).is_ok());
}

#[test]
fn domains_the_backbone_would_not_accept_are_refused_with_the_reason() {
    assert_eq!(
        AddressDomain::parse("Localhost"),
        Err(AddressDomainError::UpperCase("Localhost".to_owned()))
    );
    assert_eq!(
        AddressDomain::parse("ab"),
        Err(AddressDomainError::Length {
            domain: "ab".to_owned(),
            length: 2
        })
    );
    let too_long = format!("{}.com", "a".repeat(42));
    assert_eq!(
        AddressDomain::parse(&too_long),
        Err(AddressDomainError::Length {
            domain: too_long.clone(),
            length: 46
        })
    );
    for malformed in [
        "local_host",
        "a..com",
        "example.c0m",
        ".example.com",
        "example.com.",
    ] {
        assert_eq!(
            AddressDomain::parse(malformed),
            Err(AddressDomainError::Malformed(malformed.to_owned())),
            "{malformed}"
        );
    }
    for ip in ["127.0.0.1", "10.0.0.0x1", "[::1]"] {
        assert_eq!(
            AddressDomain::parse(ip),
            Err(AddressDomainError::IpAddress(ip.to_owned())),
            "{ip}"
        );
    }
}

#[test]
fn the_errors_tell_the_operator_what_to_set() {
    let ip = AddressDomain::from_base_url("http://127.0.0.1:8090").unwrap_err();
    assert_eq!(ip, AddressDomainError::IpAddress("127.0.0.1".to_owned()));
    assert!(
        ip.to_string().contains(
            "set transportLibrary.addressGenerationHostnameOverride to the Backbone's DidDomainName"
        ),
        "{ip}"
    );
    let upper = AddressDomain::parse("Localhost").unwrap_err().to_string();
    assert!(upper.contains("write it in lower case"), "{upper}");
    let host = AddressDomain::from_base_url("http://host.docker.internal_:8090")
        .unwrap_err()
        .to_string();
    assert!(
        host.contains("'http://host.docker.internal_:8090'"),
        "{host}"
    );
    assert!(host.contains("addressGenerationHostnameOverride"), "{host}");
}

#[test]
fn the_domain_of_a_base_url_is_its_lower_cased_host() {
    for (base_url, domain) in [
        ("https://Backbone.Example.com:8443/", "backbone.example.com"),
        ("http://localhost:8090", "localhost"),
        (
            "HTTPS://user:secret@prod.enmeshed.eu/api?x=1#f",
            "prod.enmeshed.eu",
        ),
        (
            "https://bkb-nmshd-preprod.nbpdev.de",
            "bkb-nmshd-preprod.nbpdev.de",
        ),
    ] {
        assert_eq!(
            AddressDomain::from_base_url(base_url).unwrap().as_str(),
            domain,
            "{base_url}"
        );
    }
}

#[test]
fn base_urls_without_a_usable_host_are_refused() {
    for not_a_url in [
        "localhost:8090",
        "ftp://localhost",
        "https://",
        "https://:8443/",
    ] {
        assert_eq!(
            AddressDomain::from_base_url(not_a_url),
            Err(AddressDomainError::NotAUrl(not_a_url.to_owned())),
            "{not_a_url}"
        );
    }
    assert_eq!(
        AddressDomain::from_base_url("http://[::1]:8090/"),
        Err(AddressDomainError::IpAddress("[::1]".to_owned()))
    );
    assert_eq!(
        AddressDomain::from_base_url("https://x.y"),
        Err(AddressDomainError::UnusableHost {
            base_url: "https://x.y".to_owned(),
            reason: Box::new(AddressDomainError::Malformed("x.y".to_owned())),
        })
    );
}
