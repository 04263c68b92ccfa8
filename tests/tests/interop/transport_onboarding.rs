//! The official `@nmshd/transport` first start against the simulator: `AccountController.init()`
//! on an empty database onboards a new identity (challenge, identity, login, datawallet version
//! upgrade) and `TokenController.sendToken` creates a token as it. The simulator then holds
//! exactly that identity, under the address it derived itself from the key it received.

use backbone_sim::{IdentityAddress, PlatformClient, SimulatorConfig};

use super::node;

#[tokio::test]
async fn official_transport_onboards_an_identity_on_the_simulator_and_creates_a_token_as_it() {
    let client = PlatformClient::random();
    let simulator = backbone_sim::start(SimulatorConfig::new().with_client(client.clone()))
        .await
        .unwrap();

    let answer = node(
        "transport-onboard.js",
        vec![
            "--backbone".into(),
            simulator.base_url(),
            "--client-id".into(),
            client.client_id.clone(),
            "--client-secret".into(),
            client.client_secret.clone(),
        ],
    )
    .await;

    assert_eq!(answer["ok"], true, "transport onboarded: {answer}");
    let identities = simulator.identities();
    assert_eq!(identities.len(), 1, "exactly the one identity");
    let onboarded = &identities[0];
    let derived =
        IdentityAddress::from_public_key(&onboarded.identity.public_key, "localhost").unwrap();
    assert_eq!(onboarded.identity.address, derived);
    assert_eq!(
        answer["address"],
        derived.as_str(),
        "transport's local address agrees"
    );
    assert_eq!(onboarded.identity.client_id, client.client_id);
    assert_eq!(onboarded.datawallet_version, Some(1));
    assert_eq!(onboarded.identity.devices.len(), 1);
    let device_id = onboarded.identity.devices[0].id.as_str();
    assert_eq!(answer["deviceId"], device_id);
    let token = simulator
        .token(answer["tokenId"].as_str().unwrap())
        .expect("the token transport created is on the simulator");
    assert_eq!(token.created_by.as_ref(), Some(&derived));
    assert_eq!(
        token.created_by_device.as_ref().map(|d| d.as_str()),
        Some(device_id)
    );
    assert_eq!(simulator.token_count(), 1);
    simulator.stop().await;
}
