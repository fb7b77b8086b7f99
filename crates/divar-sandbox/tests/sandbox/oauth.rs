//! OAuth as Divar runs it: the consent screen, the code and refresh grants.

use http::StatusCode;
use serde_json::json;

use super::support::*;
use super::{API_KEY, CONVERSATION, REDIRECT, SECRET, SLUG};

#[tokio::test]
async fn code_flow_issues_divar_shaped_tokens() {
    let app = app();
    let code = code(&app).await;
    let tokens = exchange(&app, &code, SECRET, REDIRECT).await;
    assert_eq!(tokens.status, StatusCode::OK, "{}", tokens.body);
    let tokens = tokens.json();
    assert!(tokens["access_token"]
        .as_str()
        .unwrap()
        .starts_with("ory_at_"));
    assert!(tokens["refresh_token"]
        .as_str()
        .unwrap()
        .starts_with("ory_rt_"));
    assert_eq!(tokens["expires_in"], 3600);
    assert_eq!(tokens["token_type"], "bearer");
    assert_eq!(tokens["scope"], chat_scope());
}

#[tokio::test]
async fn without_offline_access_there_is_no_refresh_token() {
    let app = app();
    let back = consent(
        &app,
        &format!("CONVERSATION_SEND_MESSAGE.{CONVERSATION}"),
        "approve",
    )
    .await;
    let tokens = exchange(&app, &back.query("code").unwrap(), SECRET, REDIRECT)
        .await
        .json();
    assert!(tokens.get("refresh_token").is_none());
}

#[tokio::test]
async fn a_code_works_once_and_its_replay_revokes_the_tokens() {
    let app = app();
    let code = code(&app).await;
    let first = exchange(&app, &code, SECRET, REDIRECT).await.json();
    let again = exchange(&app, &code, SECRET, REDIRECT).await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST);
    assert_eq!(again.json()["error"], "invalid_grant");
    let access = first["access_token"].as_str().unwrap();
    let send = post_json(
        &app,
        &format!("/v2/open-platform/conversations/{CONVERSATION}/messages"),
        json!({"message": "m"}),
        &[
            ("x-api-key", API_KEY),
            ("authorization", &format!("Bearer {access}")),
        ],
    )
    .await;
    assert_eq!(
        send.status,
        StatusCode::UNAUTHORIZED,
        "tokens from a replayed code are revoked"
    );
}

#[tokio::test]
async fn wrong_secret_and_wrong_redirect_uri_are_refused() {
    let app = app();
    let code = code(&app).await;
    let wrong_secret = exchange(&app, &code, "not-the-secret", REDIRECT).await;
    assert_eq!(wrong_secret.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong_secret.json()["error"], "invalid_client");
    let wrong_redirect = exchange(&app, &code, SECRET, "http://127.0.0.1:3000/other").await;
    assert_eq!(wrong_redirect.status, StatusCode::BAD_REQUEST);
    assert_eq!(wrong_redirect.json()["error"], "invalid_grant");
}

#[tokio::test]
async fn an_expired_code_is_refused() {
    let app = app();
    let code = code(&app).await;
    post_json(&app, "/control/clock", json!({"advance_secs": 601}), &[]).await;
    let late = exchange(&app, &code, SECRET, REDIRECT).await;
    assert_eq!(late.status, StatusCode::BAD_REQUEST);
    assert!(late.json()["error_description"]
        .as_str()
        .unwrap()
        .contains("expired"));
}

#[tokio::test]
async fn denial_returns_access_denied_with_the_state() {
    let app = app();
    let back = consent(&app, &chat_scope(), "deny").await;
    assert_eq!(back.status, StatusCode::SEE_OTHER);
    assert_eq!(back.query("error").as_deref(), Some("access_denied"));
    assert_eq!(back.query("state").as_deref(), Some("state-123456"));
    assert!(back.query("code").is_none());
}

#[tokio::test]
async fn the_authorize_request_is_checked() {
    let app = app();
    // Unknown client or unregistered redirect: an error page, never a redirect.
    let foreign = browse(
        &app,
        &authorize_url(&chat_scope(), "https://evil.example/cb"),
    )
    .await;
    assert_eq!(
        (foreign.status, foreign.location),
        (StatusCode::BAD_REQUEST, None)
    );
    let unknown = browse(
        &app,
        &authorize_url(&chat_scope(), REDIRECT).replace(SLUG, "someone-else"),
    )
    .await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    // Registered redirect: errors go back to it.
    for (scope, error) in [
        ("CONVERSATION_SEND_MESSAGE", "invalid_scope"),
        ("NOT_A_SCOPE", "invalid_scope"),
        ("CONVERSATION_SEND_MESSAGE.a/../b", "invalid_scope"),
    ] {
        let back = browse(&app, &authorize_url(scope, REDIRECT)).await;
        assert_eq!(back.query("error").as_deref(), Some(error), "{scope}");
    }
    let token_type = browse(
        &app,
        &authorize_url(&chat_scope(), REDIRECT)
            .replace("response_type=code", "response_type=token"),
    )
    .await;
    assert_eq!(
        token_type.query("error").as_deref(),
        Some("unsupported_response_type")
    );
}

#[tokio::test]
async fn refresh_rotates_and_the_old_pair_works_for_two_minutes() {
    let app = app();
    let code = code(&app).await;
    let first = exchange(&app, &code, SECRET, REDIRECT).await.json();
    let refresh = |token: String| {
        let app = app.clone();
        async move {
            post_form(
                &app,
                "/oauth2/token",
                &[
                    ("grant_type", "refresh_token"),
                    ("refresh_token", &token),
                    ("client_id", SLUG),
                    ("client_secret", SECRET),
                ],
            )
            .await
        }
    };
    let old_refresh = first["refresh_token"].as_str().unwrap().to_owned();
    let second = refresh(old_refresh.clone()).await;
    assert_eq!(second.status, StatusCode::OK, "{}", second.body);
    let second = second.json();
    assert_ne!(second["access_token"], first["access_token"]);
    assert_ne!(second["refresh_token"], first["refresh_token"]);

    let send_with = |access: String| {
        let app = app.clone();
        async move {
            post_json(
                &app,
                &format!("/v2/open-platform/conversations/{CONVERSATION}/messages"),
                json!({"message": "سلام"}),
                &[
                    ("x-api-key", API_KEY),
                    ("authorization", &format!("Bearer {access}")),
                ],
            )
            .await
            .status
        }
    };
    let old_access = first["access_token"].as_str().unwrap().to_owned();
    assert_eq!(
        send_with(old_access.clone()).await,
        StatusCode::OK,
        "old access token within the grace period"
    );
    assert_eq!(
        refresh(old_refresh.clone()).await.status,
        StatusCode::OK,
        "old refresh token within the grace period"
    );
    post_json(&app, "/control/clock", json!({"advance_secs": 121}), &[]).await;
    assert_eq!(send_with(old_access).await, StatusCode::UNAUTHORIZED);
    assert_eq!(refresh(old_refresh).await.json()["error"], "invalid_grant");
    assert_eq!(
        send_with(second["access_token"].as_str().unwrap().to_owned()).await,
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_pkce_code_is_exchanged_only_with_its_verifier() {
    // RFC 7636, appendix B.
    let (verifier, challenge) = (
        "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
    );
    let app = app();
    let request = authorize_url(&chat_scope(), REDIRECT);
    let plain = browse(
        &app,
        &format!("{request}&code_challenge={challenge}&code_challenge_method=plain"),
    )
    .await;
    assert_eq!(plain.query("error").as_deref(), Some("invalid_request"));

    let url = format!("{request}&code_challenge={challenge}&code_challenge_method=S256");
    let pkce_code = consent_at(&app, &url, "approve")
        .await
        .query("code")
        .unwrap();
    let with = |verifier: Option<&'static str>| {
        let (app, code) = (&app, pkce_code.clone());
        async move {
            let mut fields = vec![
                ("grant_type", "authorization_code"),
                ("code", code.as_str()),
                ("client_id", SLUG),
                ("client_secret", SECRET),
                ("redirect_uri", REDIRECT),
            ];
            fields.extend(verifier.map(|v| ("code_verifier", v)));
            post_form(app, "/oauth2/token", &fields).await
        }
    };
    assert_eq!(with(None).await.json()["error"], "invalid_grant");
    let wrong = with(Some("wrong-verifier-wrong-verifier-wrong-verifier-0")).await;
    assert_eq!(wrong.json()["error"], "invalid_grant");
    assert_eq!(with(Some(verifier)).await.status, StatusCode::OK);

    let without_challenge = code(&app).await;
    let stray = post_form(
        &app,
        "/oauth2/token",
        &[
            ("grant_type", "authorization_code"),
            ("code", &without_challenge),
            ("client_id", SLUG),
            ("client_secret", SECRET),
            ("redirect_uri", REDIRECT),
            ("code_verifier", verifier),
        ],
    )
    .await;
    assert_eq!(
        stray.json()["error"],
        "invalid_grant",
        "a verifier nobody asked for"
    );
}
