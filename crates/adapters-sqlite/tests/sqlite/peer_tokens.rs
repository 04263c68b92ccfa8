//! Migration 2026-12-04-100000_peer_tokens on the database a release left behind
//! (`tests/fixtures/local-mode-fb80814`): every Token it stored reads back as own with its
//! File pointer unchanged, and a peer's Token can be stored beside them.

use adapters_sqlite::test_support::TestDatabase;
use application::ports::TokenRepository;
use application::tokens::list::{TokenCondition, TokenFilter};
use domain::{Token, TokenContent, TokenId};
use repository_contract::fixtures::plain_token;

const RELEASE_DATABASE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/fixtures/local-mode-fb80814/data/connector.sqlite"
);
const DEMO_FILE: &str = "FILPqfi2HIzgvQddu7fU";
const RELEASE_TOKENS: [&str; 3] = [
    "TOKPRtMN1qSr8JOzmCDy",
    "TOKrkxWM7Ic3DiFugiw3",
    "TOKunUIlr6SW4dxhlpro",
];

#[tokio::test]
async fn the_releases_tokens_become_own_ones_and_peer_tokens_fit_beside_them() {
    let test_db = TestDatabase::create_empty();
    std::fs::copy(RELEASE_DATABASE, test_db.path()).expect("the fixture is readable");
    let database = test_db.database();
    database
        .run_migrations()
        .await
        .expect("the migrations apply");
    let tokens = database.token_repository();

    for id in RELEASE_TOKENS {
        let token = tokens
            .find_token(&TokenId::parse(id).unwrap())
            .await
            .expect("read back")
            .unwrap_or_else(|| panic!("{id} is still stored"));
        assert!(token.is_own, "{id}");
        let file = token.content.as_file().expect("a File pointer");
        assert_eq!(file.file_id.as_str(), DEMO_FILE, "{id}");
    }

    let peer = Token {
        is_own: false,
        content: TokenContent::from_json(serde_json::json!({"b": 1, "a": "x"})).unwrap(),
        ..plain_token("PEERAFTERRELEASEA")
    };
    tokens.insert_token(&peer).await.expect("stored");
    let peers = TokenFilter::new().with(TokenCondition::IsOwn(false));
    assert_eq!(tokens.list_tokens(&peers).await.expect("listed"), [peer]);
    let own = TokenFilter::new().with(TokenCondition::IsOwn(true));
    assert_eq!(tokens.list_tokens(&own).await.expect("listed").len(), 3);
}
