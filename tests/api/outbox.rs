//! Ersal's outbox against the sandbox over real HTTP: a message pending when Ersal stopped is
//! sent after a restart, exactly once; failing sends are retried; an expiring token is refreshed
//! (and rotated) first.

use divar_sandbox::state::{AccessToken, FaultKind, FaultTarget, RefreshToken, World};
use divar_sandbox::Sandbox;
use domain::code::TrackingCode;
use ersal_server::chat::texts::{Composer, Facts};
use ersal_server::AppState;
use store::outbox::Announcement;

use crate::support::{conv, exec, scalar, TestEnv};

const CONVERSATION: &str = "0d5f3c1e-8a47-4b2e-9f61-3c2d7e9a4b10";
const BUYER: &str = "bA7kQ2wE9rT4yU1iO8pL3sD6fG0hJ5kZ2xC7vB4nM=";

pub(crate) struct Harness {
    pub(crate) sandbox: Sandbox,
    env: TestEnv,
}

impl Harness {
    /// The sandbox, and an Ersal holding the buyer's tokens, the access token expiring in
    /// `access_expires_in` seconds.
    pub(crate) async fn start(access_expires_in: i64) -> (Self, AppState) {
        Self::with([], access_expires_in).await
    }

    /// [`Harness::start`] with `more` variables.
    pub(crate) async fn with<const N: usize>(
        more: [(&'static str, String); N],
        access_expires_in: i64,
    ) -> (Self, AppState) {
        let (env, sandbox) = TestEnv::with_sandbox(more).await;
        let harness = Self { sandbox, env };
        let state = harness.ersal().await;
        harness.grant(&state, access_expires_in).await;
        (harness, state)
    }

    /// A fresh Ersal process on the same database.
    pub(crate) async fn ersal(&self) -> AppState {
        self.env.state().await
    }

    /// Gives the buyer's consent inside the sandbox and hands Ersal the tokens.
    async fn grant(&self, state: &AppState, access_expires_in: i64) {
        let scopes = vec![
            format!("CONVERSATION_SEND_MESSAGE.{CONVERSATION}"),
            "offline_access".to_owned(),
        ];
        let now = self.sandbox.now();
        {
            let mut world: std::sync::MutexGuard<'_, World> = self.sandbox.world();
            let access = AccessToken {
                scopes: scopes.clone(),
                user: BUYER.into(),
                expires_at: now + 3600,
            };
            world.access.insert("ory_at_first".into(), access);
            let refresh = RefreshToken {
                scopes,
                user: BUYER.into(),
                valid_until: None,
                access: "ory_at_first".into(),
            };
            world.refresh.insert("ory_rt_first".into(), refresh);
        }
        let issued = store::grants::Issued {
            access: "ory_at_first",
            refresh: Some("ory_rt_first"),
            access_expires_at: state.now() + access_expires_in,
        };
        let chat = crate::support::chat_grant(CONVERSATION);
        let buyer = kenar::DivarUserId::parse(BUYER).unwrap();
        store::grants::store(&state.db, &state.keys, &chat, &issued, &buyer, state.now())
            .await
            .unwrap();
    }

    /// The sandbox answers the next send-message call with `kind`.
    fn fail_next_send(&self, kind: FaultKind) {
        self.fail_next(FaultTarget::SendMessage, kind);
    }

    /// The sandbox answers the next call to `target` with `kind`.
    pub(crate) fn fail_next(&self, target: FaultTarget, kind: FaultKind) {
        let fault = divar_sandbox::state::Fault {
            target,
            kind,
            remaining: 1,
            delay_ms: 0,
        };
        self.sandbox.world().faults.push(fault);
    }

    pub(crate) fn delivered(&self) -> usize {
        self.sandbox.world().messages.len()
    }
}

/// Queues a message the way a shipment change does (a shipment row is needed for the key).
pub(crate) async fn queue(state: &AppState) -> i64 {
    let code = TrackingCode::parse("SHPTEST222").unwrap();
    let body = Composer {
        keys: &state.keys,
        conversation: &conv(CONVERSATION),
    }
    .expired(&Facts {
        code: &code,
        item: "گوشی",
        route: None,
    });
    if scalar::<i64>(&state.db, "select count(*) from shipments").await == 0 {
        exec(
            &state.db,
            "insert into landing_sessions
               (id_digest, source, private_sealed, return_target, created_at, expires_at)
             values ('l1', 'CHAT', '', 'x', 0, 0)",
        )
        .await;
        exec(
            &state.db,
            &format!(
                "insert into shipments
                   (id, landing_digest, conversation_id, opener_role, status, item_description,
                    size_class, declared_rials, fragile, service, payer, quote_total_rials,
                    parties_sealed, created_at, updated_at)
                 values ('SHPTEST222', 'l1', '{CONVERSATION}', 'receiver', 'booked', 'گوشی',
                         'small', 0, false, 'economy', 'receiver', 0, '', 0, 0)"
            ),
        )
        .await;
    }
    let mut tx = state.db.begin().await.unwrap();
    let message = Announcement {
        conversation: conv(CONVERSATION),
        body,
    };
    store::outbox::enqueue_announcement(&mut tx, &code, &message, state.now())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    scalar::<i64>(&state.db, "select max(id) from outbox").await
}

/// Runs the outbox worker once, then answers message `id`'s state and attempts.
async fn drain_then_state(state: &AppState, id: i64) -> (String, i64) {
    ersal_server::delivery::drain_once(state).await.unwrap();
    let row = |column| format!("select {column} from outbox where id = {id}");
    (
        scalar(&state.db, &row("state")).await,
        scalar::<i64>(&state.db, &row("attempts")).await,
    )
}

#[tokio::test]
async fn a_pending_message_is_sent_after_a_restart_exactly_once() {
    let (harness, before_restart) = Harness::start(3600).await;
    let id = queue(&before_restart).await;
    drop(before_restart);

    let after_restart = harness.ersal().await;
    assert_eq!(
        drain_then_state(&after_restart, id).await,
        ("sent".into(), 1)
    );
    ersal_server::delivery::drain_once(&after_restart)
        .await
        .unwrap();
    assert_eq!(
        harness.delivered(),
        1,
        "nothing is sent twice after a successful answer"
    );
}

#[tokio::test]
async fn a_row_of_a_channel_this_build_does_not_know_is_left_alone_and_blocks_nothing() {
    let (harness, state) = Harness::start(3600).await;
    // What a newer build might queue during a rolling upgrade: no instance of this build claims
    // it (nor fails on it), and the messages it knows still go out.
    exec(
        &state.db,
        "insert into outbox (channel, conversation_id, body, next_attempt_at, created_at)
         values ('carrier-webhook', 'elsewhere', '{}', 0, 0)",
    )
    .await;
    let id = queue(&state).await;
    assert_eq!(drain_then_state(&state, id).await, ("sent".into(), 1));
    assert_eq!(harness.delivered(), 1);
    let untouched = "select count(*) from outbox where channel = 'carrier-webhook'
                     and state = 'pending' and claimed_by is null and attempts = 0";
    assert_eq!(scalar::<i64>(&state.db, untouched).await, 1);
}

#[tokio::test]
async fn failures_are_retried_with_backoff_and_412_is_final() {
    let (harness, state) = Harness::start(3600).await;
    harness.fail_next_send(FaultKind::ServerError);
    let id = queue(&state).await;
    assert_eq!(drain_then_state(&state, id).await, ("pending".into(), 1));
    assert_eq!(
        drain_then_state(&state, id).await.1,
        1,
        "not due yet: backoff"
    );
    exec(
        &state.db,
        &format!("update outbox set next_attempt_at = 0 where id = {id}"),
    )
    .await;
    assert_eq!(drain_then_state(&state, id).await, ("sent".into(), 2));

    harness.fail_next_send(FaultKind::Restricted);
    let refused = queue(&state).await;
    assert_eq!(
        drain_then_state(&state, refused).await,
        ("undeliverable".into(), 1)
    );
    assert_eq!(harness.delivered(), 1);
}

#[tokio::test]
async fn an_expiring_token_is_refreshed_and_rotated_before_sending() {
    let (harness, state) = Harness::start(30).await;
    let id = queue(&state).await;
    assert_eq!(drain_then_state(&state, id).await.0, "sent");
    let world = harness.sandbox.world();
    assert_eq!(world.refresh.len(), 2, "the refresh grant rotated the pair");
    assert!(
        world.refresh["ory_rt_first"].valid_until.is_some(),
        "the old refresh token only has its grace period"
    );
}

#[tokio::test]
async fn a_token_endpoint_failing_for_a_moment_delays_the_message_and_keeps_the_grant() {
    let (harness, state) = Harness::start(30).await;
    harness.fail_next(FaultTarget::Token, FaultKind::ServerError);
    let id = queue(&state).await;
    assert_eq!(
        drain_then_state(&state, id).await,
        ("pending".into(), 1),
        "tried again later, not given up"
    );
    exec(
        &state.db,
        &format!("update outbox set next_attempt_at = 0 where id = {id}"),
    )
    .await;
    assert_eq!(drain_then_state(&state, id).await, ("sent".into(), 2));
}
