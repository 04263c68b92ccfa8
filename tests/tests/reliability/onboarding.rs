//! Several instances on one empty PostgreSQL database, started together and configured with no
//! device, create exactly one identity on the Backbone and all act as it (the Connector cannot
//! share one identity between instances; this service can).

use adapters_postgres::test_support::TestDatabase;
use application::ports::FileRepository;
use backbone_sim::{PlatformClient, SimulatorConfig};
use chrono::Utc;
use serde_json::json;
use system_tests::process::ConnectorProcess;
use system_tests::{identity_info, onboarding_vars, random_file_of};

use crate::create_token;

const INSTANCES: usize = 3;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instances_starting_together_on_an_empty_database_create_one_identity() {
    let client = PlatformClient::random();
    let simulator = backbone_sim::start(SimulatorConfig::new().with_client(client.clone()))
        .await
        .unwrap();
    let database = TestDatabase::create_empty();
    let vars = onboarding_vars(&simulator, &client, database.url());
    let starting: Vec<_> = (0..INSTANCES)
        .map(|_| {
            let vars = vars.clone();
            std::thread::spawn(move || ConnectorProcess::start(&vars, "info"))
        })
        .collect();
    let instances: Vec<ConnectorProcess> = starting
        .into_iter()
        .map(|start| start.join().unwrap())
        .collect();

    let identities = simulator.identities();
    assert_eq!(identities.len(), 1, "exactly one identity on the Backbone");
    let address = identities[0].identity.address.to_string();
    let owner = domain::IdentityAddress::parse(&address).unwrap();
    let file = random_file_of(&owner, Utc::now() + chrono::Duration::days(1));
    database
        .database()
        .file_repository()
        .insert_file(&file)
        .await
        .unwrap();

    let http = reqwest::Client::new();
    for instance in &instances {
        let info = identity_info(&http, &instance.address()).await;
        assert_eq!(
            info["address"],
            address.as_str(),
            "every instance is that identity"
        );
        let (status, body) = create_token(
            &http,
            &instance.address(),
            file.id.as_str(),
            &json!({"ephemeral": false}),
        )
        .await
        .expect("answered");
        assert_eq!(status, 201, "{body}");
        assert_eq!(body["result"]["createdBy"], address.as_str());
    }
    assert_eq!(database.row_count("identity"), 1);
    eprintln!(
        "{INSTANCES} instances started together on an empty database: one identity, {address}"
    );
}
