//! Where the simulator's values meet the connector's: the simulator has its own id and address
//! types (its own reading of the Backbone's rules, so it can judge the connector), and tests
//! convert them into domain types here. The unit tests cross-check the two implementations of
//! the address rule, which must agree without sharing code.

use backbone_sim::SeededDevice;

/// The device's identity address as the connector's domain type.
///
/// # Panics
/// If the connector refuses an address the simulator made: the two rules disagree.
pub fn domain_address(address: &backbone_sim::IdentityAddress) -> domain::IdentityAddress {
    domain::IdentityAddress::parse(address.as_str()).unwrap_or_else(|error| {
        panic!("the connector refuses the simulator's address {address}: {error}")
    })
}

/// A token id of the simulator as the connector's domain type.
///
/// # Panics
/// If the connector refuses a token id the simulator made.
pub fn domain_token_id(id: &backbone_sim::TokenId) -> domain::TokenId {
    domain::TokenId::parse(id.as_str()).unwrap_or_else(|error| {
        panic!("the connector refuses the simulator's token id {id}: {error}")
    })
}

/// The device's id as the connector's domain type.
///
/// # Panics
/// If the connector refuses a device id the simulator made.
pub fn domain_device_id(device: &SeededDevice) -> domain::DeviceId {
    domain::DeviceId::parse(device.device_id.as_str()).unwrap_or_else(|error| {
        panic!(
            "the connector refuses the simulator's device id {}: {error}",
            device.device_id
        )
    })
}

#[cfg(test)]
mod tests {
    use backbone_sim::IdError as SimError;
    use domain::IdError as DomainError;

    /// Every address the connector builds is one the simulator accepts, and every address the
    /// simulator builds is one the connector accepts, over many random ones and several domains.
    #[test]
    fn both_sides_accept_each_others_addresses() {
        use rand::Rng as _;
        let mut rng = rand::thread_rng();
        for domain in ["localhost", "backbone.example.com", "my-host.a1.eu", "xy"] {
            for _ in 0..500 {
                let body: String = (0..20)
                    .map(|_| char::from(b"0123456789abcdef"[rng.gen_range(0..16)]))
                    .collect();
                let theirs = domain::IdentityAddress::from_parts(domain, &body).unwrap();
                assert!(
                    backbone_sim::IdentityAddress::parse(theirs.as_str()).is_ok(),
                    "{theirs}"
                );
                let ours = backbone_sim::IdentityAddress::random(domain).unwrap();
                assert!(
                    domain::IdentityAddress::parse(ours.as_str()).is_ok(),
                    "{ours}"
                );
            }
        }
    }

    /// Both refuse the same tampered checksums and the same malformed shapes, each for the
    /// same reason.
    #[test]
    fn both_sides_refuse_the_same_addresses_for_the_same_reason() {
        let good = domain::IdentityAddress::from_parts("localhost", "0123456789abcdef0123")
            .unwrap()
            .to_string();
        let (without, checksum) = good.split_at(good.len() - 2);
        for byte in 0..=255u8 {
            let candidate = format!("{without}{byte:02x}");
            let (connector, simulator) = (
                domain::IdentityAddress::parse(&candidate),
                backbone_sim::IdentityAddress::parse(&candidate),
            );
            if format!("{byte:02x}") == checksum {
                assert!(connector.is_ok() && simulator.is_ok(), "{candidate}");
            } else {
                assert!(
                    matches!(connector, Err(DomainError::AddressChecksum(_)))
                        && matches!(simulator, Err(SimError::AddressChecksum(_))),
                    "{candidate}: {connector:?} / {simulator:?}"
                );
            }
        }
        let long_domain = format!("{}.de", "a".repeat(50));
        for bad in [
            "some-address",
            "did:e:localhost:dids:0123456789abcdef01",
            "did:e:LOCALHOST:dids:0123456789abcdef012357",
            "did:e:-.x:dids:0123456789abcdef012357",
            "did:e:a.b1:dids:0123456789abcdef012357",
            "did:e:localhost:dids:0123456789abcdef012357:",
            &format!("did:e:{long_domain}:dids:0123456789abcdef012357"),
        ] {
            assert!(
                matches!(
                    domain::IdentityAddress::parse(bad),
                    Err(DomainError::MalformedAddress(_))
                ) && matches!(
                    backbone_sim::IdentityAddress::parse(bad),
                    Err(SimError::MalformedAddress(_))
                ),
                "{bad}"
            );
        }
    }

    /// The prefixed ids follow the same rule on both sides.
    #[test]
    fn both_sides_agree_on_token_and_device_ids() {
        for id in [
            "TOKabcdefghijklmnopq",
            "TOKabcdefghijklmnop",
            "TOKabcdefghijklmnop_",
            "DVCabcdefghijklmnopq",
        ] {
            assert_eq!(
                domain::TokenId::parse(id).is_ok(),
                backbone_sim::TokenId::parse(id).is_ok(),
                "{id}"
            );
        }
        let made = backbone_sim::TokenId::random();
        assert!(domain::TokenId::parse(made.as_str()).is_ok());
        let device = backbone_sim::SeededDevice::random("localhost");
        assert!(domain::DeviceUsername::parse(device.username.as_str()).is_ok());
        assert_eq!(
            super::domain_device_id(&device).as_str(),
            device.device_id.as_str()
        );
    }
}
