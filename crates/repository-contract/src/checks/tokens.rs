//! `TokenRepository`: round trips with every kind of protection, duplicates, missing and
//! corrupt rows, and the all-or-none rule of the password columns.

use application::files::list::{Condition, FilterValue};
use application::ports::{MAX_TEXT_BYTES, RepositoryError};
use application::tokens::list::{TokenCondition, TokenField, TokenFilter};
use domain::{PasswordLocationIndicator, PasswordProtection, PasswordType, Token, TokenContent};

use crate::fixtures::{address, plain_token, time, token_id};
use crate::{Store, Tamper};

async fn assert_round_trip(store: &dyn Store, token: Token) {
    let tokens = store.tokens();

    tokens.insert_token(&token).await.expect("stored");

    assert_eq!(
        tokens.find_token(&token.id).await.expect("read back"),
        Some(token)
    );
}

pub async fn a_token_without_password_reads_back_unchanged(store: &dyn Store) {
    assert_round_trip(store, plain_token("PLAINAAAAAAAAAAAA")).await;
}

pub async fn a_token_for_one_identity_reads_back_unchanged(store: &dyn Store) {
    let token = Token {
        for_identity: Some(address("fedcba9876543210fedc")),
        ..plain_token("PERSONALAAAAAAAAA")
    };
    assert_round_trip(store, token).await;
}

pub async fn a_password_protected_token_reads_back_unchanged(store: &dyn Store) {
    let protection = PasswordProtection {
        password: "correct horse battery staple".to_owned(),
        password_type: PasswordType::Password,
        salt: *b"a16byteslongsalt",
        location_indicator: None,
    };
    let token = Token {
        password_protection: Some(protection),
        ..plain_token("PASSWORDAAAAAAAAA")
    };
    assert_round_trip(store, token).await;
}

pub async fn a_pin_protected_token_keeps_its_named_location_indicator(store: &dyn Store) {
    let protection = PasswordProtection {
        password: "0042".to_owned(),
        password_type: PasswordType::Pin { digits: 4 },
        salt: [7; 16],
        location_indicator: PasswordLocationIndicator::from_name("Letter"),
    };
    let token = Token {
        password_protection: Some(protection),
        for_identity: Some(address("fedcba9876543210fedc")),
        ..plain_token("PINAAAAAAAAAAAAAA")
    };
    assert_round_trip(store, token).await;
}

pub async fn a_pin_protected_token_keeps_its_free_location_indicator(store: &dyn Store) {
    let protection = PasswordProtection {
        password: "1234567890123456".to_owned(),
        password_type: PasswordType::Pin { digits: 16 },
        salt: [0xff; 16],
        location_indicator: PasswordLocationIndicator::from_free_number(99),
    };
    let token = Token {
        password_protection: Some(protection),
        ..plain_token("PIN16AAAAAAAAAAAA")
    };
    assert_round_trip(store, token).await;
}

/// U+0000 (which PostgreSQL's `text` cannot hold), controls, and one character of every Unicode
/// plane, assigned or not: a password is whatever string the client sent.
pub async fn a_password_of_any_unicode_reads_back_unchanged(store: &dyn Store) {
    let mut password =
        String::from("ab\0cd\u{1}\u{1f}\u{7f}\u{80}\u{7ff}\u{800}\u{fffd}\u{ffff}\0");
    password.extend((1..=16).filter_map(|plane| char::from_u32(plane << 16)));
    password.push('\u{10ffff}');
    let token = Token {
        password_protection: Some(PasswordProtection {
            password,
            password_type: PasswordType::Password,
            salt: [0; 16],
            location_indicator: None,
        }),
        ..plain_token("UNICODEAAAAAAAAAA")
    };
    assert_round_trip(store, token).await;
}

/// No request body may be longer than [`MAX_TEXT_BYTES`], so no password either.
pub async fn the_longest_password_the_api_accepts_reads_back_unchanged(store: &dyn Store) {
    let mut password = "\u{10348}\0é".repeat(MAX_TEXT_BYTES / 7);
    password.push_str(&"x".repeat(MAX_TEXT_BYTES - password.len()));
    assert_eq!(password.len(), MAX_TEXT_BYTES);
    let token = Token {
        password_protection: Some(PasswordProtection {
            password,
            password_type: PasswordType::Password,
            salt: [1; 16],
            location_indicator: None,
        }),
        ..plain_token("LONGESTAAAAAAAAAA")
    };
    assert_round_trip(store, token).await;
}

/// `expiresAt` can be as late as `9999-12-31T23:59:59.999-23:59` (the runtime's date pattern
/// allows any offset), which is in the year 10000 in UTC.
pub async fn token_instants_at_the_edges_of_the_api_read_back_unchanged(store: &dyn Store) {
    let token = Token {
        created_at: time("0001-01-01T00:00:00Z"),
        expires_at: time("9999-12-31T23:59:59.999-23:59"),
        ..plain_token("EDGESAAAAAAAAAAAA")
    };
    assert_round_trip(store, token).await;
}

pub async fn token_instants_keep_microseconds_and_drop_finer_digits(store: &dyn Store) {
    let tokens = store.tokens();
    let token = Token {
        created_at: time("1999-12-31T23:59:59.000000001Z"),
        expires_at: time("2030-06-15T12:00:00.987654321Z"),
        ..plain_token("NANOSAAAAAAAAAAAA")
    };

    tokens.insert_token(&token).await.expect("stored");

    let stored = tokens.find_token(&token.id).await.expect("read back");
    assert_eq!(
        stored,
        Some(Token {
            created_at: time("1999-12-31T23:59:59Z"),
            expires_at: time("2030-06-15T12:00:00.987654Z"),
            ..token
        })
    );
}

pub async fn a_second_token_with_the_same_id_is_a_duplicate_and_changes_nothing(store: &dyn Store) {
    let tokens = store.tokens();
    let first = plain_token("DUPLAAAAAAAAAAAAA");
    tokens.insert_token(&first).await.expect("stored");

    let second = Token {
        for_identity: Some(address("fedcba9876543210fedc")),
        ..plain_token("DUPLAAAAAAAAAAAAA")
    };
    let error = tokens
        .insert_token(&second)
        .await
        .expect_err("a second token with the same id was stored");

    assert!(
        matches!(&error, RepositoryError::Duplicate(id) if id == "TOKDUPLAAAAAAAAAAAAA"),
        "{error:?}"
    );
    assert_eq!(
        tokens.find_token(&first.id).await.expect("read back"),
        Some(first)
    );
    assert_eq!(store.row_count("tokens"), 1);
}

pub async fn a_missing_token_is_none(store: &dyn Store) {
    let tokens = store.tokens();
    tokens
        .insert_token(&plain_token("OTHERAAAAAAAAAAAA"))
        .await
        .expect("stored");

    assert_eq!(
        tokens
            .find_token(&token_id("MISSINGAAAAAAAAAA"))
            .await
            .expect("looked up"),
        None
    );
}

pub async fn a_row_whose_content_is_no_file_pointer_is_corrupt(store: &dyn Store) {
    let tokens = store.tokens();
    tokens
        .insert_token(&plain_token("CORRUPTAAAAAAAAAA"))
        .await
        .expect("stored");
    store
        .tamper(Tamper::ReplaceTokenContentWithTemplate {
            id: "TOKCORRUPTAAAAAAAAAA",
        })
        .expect("tampered");

    let error = tokens
        .find_token(&token_id("CORRUPTAAAAAAAAAA"))
        .await
        .expect_err("a corrupt row read back as a Token");

    match error {
        RepositoryError::Corrupt { id, reason } => {
            assert_eq!(id, "TOKCORRUPTAAAAAAAAAA");
            assert!(reason.starts_with("content:"), "{reason}");
        }
        other => panic!("expected Corrupt, got {other:?}"),
    }
}

pub async fn the_database_refuses_a_partly_set_password_protection(store: &dyn Store) {
    let tokens = store.tokens();
    let token = plain_token("PARTLYAAAAAAAAAAA");
    tokens.insert_token(&token).await.expect("stored");

    let refused = store.tamper(Tamper::SetOnlyThePassword);

    let message = refused.expect_err("a password without type and salt was stored");
    assert!(message.contains("tokens_password_all_or_none"), "{message}");
    assert_eq!(
        tokens.find_token(&token.id).await.expect("read back"),
        Some(token)
    );
}

fn peer_token(id: &str, created_at: &str) -> Token {
    Token {
        is_own: false,
        created_by: address("fedcba9876543210fedc"),
        content: TokenContent::from_json(serde_json::json!({
            "zKey": "first", "aKey": [1, 2.5, null, {"nested": true}], "@type": "SomethingElse",
            "nul\u{0}key": "a NUL\u{0}, which no database text holds"
        }))
        .expect("an object"),
        created_at: time(created_at),
        ..plain_token(id)
    }
}

pub async fn a_peer_token_with_any_json_content_reads_back_unchanged(store: &dyn Store) {
    let token = peer_token("PEERAAAAAAAAAAAAA", "2025-03-04T05:06:07.890Z");
    assert_round_trip(store, token.clone()).await;
    let read = store.tokens().find_token(&token.id).await.expect("read");
    // Key order is kept, as the transport serialises it.
    assert_eq!(
        serde_json::to_string(&read.expect("stored").content.to_json()).expect("JSON"),
        r#"{"zKey":"first","aKey":[1,2.5,null,{"nested":true}],"@type":"SomethingElse","nul\u0000key":"a NUL\u0000, which no database text holds"}"#
    );
}

pub async fn tokens_are_listed_by_owner_and_filter_oldest_first(store: &dyn Store) {
    let tokens = store.tokens();
    let own_late = Token {
        created_at: time("2025-03-05T00:00:00.000Z"),
        password_protection: Some(PasswordProtection {
            password: "password".to_owned(),
            password_type: PasswordType::Password,
            salt: [1; 16],
            location_indicator: PasswordLocationIndicator::from_free_number(50),
        }),
        ..plain_token("OWNLATEAAAAAAAAAA")
    };
    let own_early = Token {
        created_at: time("2025-03-01T00:00:00.000Z"),
        ..plain_token("OWNEARLYAAAAAAAAA")
    };
    let peer = peer_token("PEERLISTAAAAAAAAA", "2025-02-01T00:00:00.000Z");
    for token in [&own_late, &peer, &own_early] {
        tokens.insert_token(token).await.expect("stored");
    }
    let ids = |listed: Vec<Token>| {
        listed
            .into_iter()
            .map(|t| t.id.to_string())
            .collect::<Vec<_>>()
    };

    let own = TokenFilter::new().with(TokenCondition::IsOwn(true));
    assert_eq!(
        ids(tokens.list_tokens(&own).await.expect("listed")),
        [own_early.id.to_string(), own_late.id.to_string()]
    );
    let peers = TokenFilter::new().with(TokenCondition::IsOwn(false));
    assert_eq!(
        ids(tokens.list_tokens(&peers).await.expect("listed")),
        [peer.id.to_string()]
    );
    assert_eq!(
        tokens
            .list_tokens(&TokenFilter::new())
            .await
            .expect("listed")
            .len(),
        3
    );

    let filters = [
        own.clone()
            .with_field(TokenField::PasswordProtection, Condition::Exists),
        own.clone().with(TokenCondition::location_indicator("50")),
        own.clone().with(TokenCondition::PasswordIsPin(false)),
        own.clone().with_field(
            TokenField::CreatedAt,
            Condition::GreaterThan(FilterValue::Text("2025-03-02".to_owned())),
        ),
    ];
    for filter in filters {
        let listed = tokens.list_tokens(&filter).await.expect("listed");
        assert_eq!(ids(listed), [own_late.id.to_string()], "{filter:?}");
    }
    let none = own.with(TokenCondition::PasswordIsPin(true));
    assert!(tokens.list_tokens(&none).await.expect("listed").is_empty());
}

pub async fn a_deleted_token_is_gone_and_deleting_it_again_is_no_error(store: &dyn Store) {
    let tokens = store.tokens();
    let token = plain_token("DELETEDAAAAAAAAAA");
    let kept = plain_token("KEPTAAAAAAAAAAAAA");
    tokens.insert_token(&token).await.expect("stored");
    tokens.insert_token(&kept).await.expect("stored");

    tokens.delete_token(&token.id).await.expect("deleted");
    tokens
        .delete_token(&token.id)
        .await
        .expect("deleting again is no error");

    assert_eq!(tokens.find_token(&token.id).await.expect("looked up"), None);
    assert_eq!(
        tokens.find_token(&kept.id).await.expect("looked up"),
        Some(kept)
    );
}
