//! A user's revocation always reaches what they granted: no grant is kept without its user,
//! a refresh token never passes from one user's grant to another's, and a token endpoint that
//! fails for a moment delays a message without dropping the permission.

use divar_sandbox::state::{Fault, FaultKind, FaultTarget};
use reqwest::StatusCode;
use store::grants::{self, Issued};

use crate::journey::CONVERSATION;
use crate::journey::{approve, chat_messages, consent_and_return, to_consent, Journey};
use crate::support::{chat_grant, TestApp};

/// Divar's user lookup fails `times` times in a row.
fn fail_user_lookup(j: &Journey, times: u32) {
    j.sandbox_world.world().faults.push(Fault {
        target: FaultTarget::GetUser,
        kind: FaultKind::ServerError,
        remaining: times,
        delay_ms: 0,
    });
}

async fn kept(j: &Journey) -> bool {
    let grant = chat_grant(CONVERSATION);
    let stored = grants::read(&j.state.db, &j.state.keys, &grant).await;
    stored.unwrap().is_some()
}

#[tokio::test]
async fn a_failed_user_lookup_is_tried_again_and_the_revocation_finds_the_grant() {
    let j = Journey::start().await;
    let consent = to_consent(&j).await;
    fail_user_lookup(&j, 2);
    approve(&j, &consent).await;
    assert_eq!(chat_messages(&j).await.len(), 1);
    assert!(kept(&j).await);
    j.revoke_buyer().await;
    assert!(!kept(&j).await, "the revocation reached the grant");
}

#[tokio::test]
async fn a_user_lookup_that_keeps_failing_keeps_no_grant() {
    let j = Journey::start().await;
    let consent = to_consent(&j).await;
    fail_user_lookup(&j, 3);
    let answer = consent_and_return(&j, &consent).await;
    assert_eq!(answer.status(), StatusCode::FORBIDDEN);
    let page = answer.text().await.unwrap();
    assert!(page.contains("اجازه ثبت نشد"), "{page}");
    assert!(!kept(&j).await, "a grant nobody could revoke is not kept");
}

#[tokio::test]
async fn a_refresh_token_never_passes_to_another_users_grant() {
    let app = TestApp::new().await;
    let (db, keys, now) = (&app.state.db, &app.state.keys, app.state.now());
    let grant = chat_grant("conv-A");
    let user = |id: &str| kenar::DivarUserId::parse(id).unwrap();
    let keep = |access: &'static str, refresh: Option<&'static str>, who: &'static str| {
        let issued = Issued {
            access,
            refresh,
            access_expires_at: now + 3600,
        };
        let grant = grant.clone();
        async move {
            grants::store(db, keys, &grant, &issued, &user(who), now)
                .await
                .unwrap();
        }
    };
    let refresh = || async {
        let stored = grants::read(db, keys, &grant).await.unwrap().unwrap();
        stored.refresh
    };
    keep("at-a", Some("rt-a"), "seller").await;
    keep("at-b", None, "buyer").await;
    assert_eq!(
        refresh().await,
        None,
        "the buyer's grant has no seller's token"
    );
    keep("at-b2", Some("rt-b"), "buyer").await;
    keep("at-b3", None, "buyer").await;
    assert_eq!(
        refresh().await.as_deref(),
        Some("rt-b"),
        "the same user's is kept"
    );
}
