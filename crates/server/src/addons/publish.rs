//! Putting the widgets on a post and taking them off, through the outbox's `addon` channel: a
//! create is an upsert and a delete removes whatever is there, so both are safe to retry. A row's
//! key is the grant key `post:<token>` (so one post's changes go out in order), its body
//! `{"op": "create", "addon": …}` or `{"op": "delete"}`.

use kenar::addon::PostAddon;
use kenar::client::SendOutcome;
use kenar::{DivarUserId, PostToken};
use serde::{Deserialize, Serialize};

use crate::chat::tokens;
use crate::error::AppError;
use crate::oauth::Tokens;
use crate::state::AppState;
use domain::delivery::Delivery;
use kenar::Grant;
use store::addons::{self as rows, AddonState};
use store::grants;
use store::outbox::{self, Channel};
use store::sessions::LandingSession;

use crate::consent::Purpose;

/// What an outbox row asks of Divar.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
enum Op {
    Create { addon: serde_json::Value },
    Delete,
}

/// The seller granted `POST_ADDON_CREATE.<post>`: the grant is kept (sealed, under the post's
/// key), and the widgets for `size` are queued.
pub async fn granted(
    state: &AppState,
    post: &PostToken,
    size: domain::size::SizeClass,
    grant: &Tokens,
    user: &DivarUserId,
    addon: &PostAddon,
) -> Result<(), AppError> {
    let now = state.now();
    let key = Grant::PostAddon(post.clone());
    tokens::store(state, &key, grant, user).await?;
    let key = key.key();
    addon.check()?;
    let tariff = &state.catalog.tariff_fingerprint;
    let mut tx = state.db.begin().await?;
    rows::consented(&mut tx, post, size, tariff, now).await?;
    let op = Op::Create {
        addon: serde_json::to_value(addon)?,
    };
    outbox::enqueue(
        &mut tx,
        Channel::Addon,
        &key,
        &serde_json::to_string(&op)?,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The post's owner (Divar confirmed it by granting the post's scope) removes the widgets: the
/// removal is queued (it needs only the API key; the grant is dropped once it went out).
/// `false` when they were not on the post.
pub async fn remove(state: &AppState, post: &PostToken) -> Result<bool, AppError> {
    let now = state.now();
    let key = Grant::PostAddon(post.clone()).key();
    let mut tx = state.db.begin().await?;
    let from = [AddonState::Adding, AddonState::On, AddonState::Failed];
    if !rows::set(&mut tx, post, &from, AddonState::Removing, now).await? {
        return Ok(false);
    }
    outbox::enqueue(
        &mut tx,
        Channel::Addon,
        &key,
        &serde_json::to_string(&Op::Delete)?,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// Re-posts the widgets whose price came from another tariff (run by the periodic jobs): each
/// goes back to "adding", so a re-post that fails shows as failed to the seller. Returns how
/// many were queued.
pub async fn refresh_prices(state: &AppState) -> Result<usize, AppError> {
    let tariff = &state.catalog.tariff_fingerprint;
    let stale = rows::priced_by_another_tariff(&state.db, tariff).await?;
    let now = state.now();
    let mut queued = 0;
    for (post, size) in stale {
        let places = &state.catalog.places;
        let Some(origin) = (match crate::posts::read(state, &post).await? {
            crate::posts::Read::Found(found) => places.find(&found.city),
            _ => None,
        }) else {
            continue;
        };
        let addon = super::widgets(state, &post, origin, size);
        addon.check()?;
        let op = Op::Create {
            addon: serde_json::to_value(addon)?,
        };
        let mut tx = state.db.begin().await?;
        if !rows::repriced(&mut tx, &post, tariff, now).await? {
            continue;
        }
        outbox::enqueue(
            &mut tx,
            Channel::Addon,
            &Grant::PostAddon(post.clone()).key(),
            &serde_json::to_string(&op)?,
            now,
        )
        .await?;
        tx.commit().await?;
        queued += 1;
    }
    Ok(queued)
}

/// Sends one queued change; `None` when a create finds no grant (it was revoked).
pub async fn send(state: &AppState, key: &str, body: &str) -> Option<SendOutcome> {
    let rejected = Some(SendOutcome::Rejected { status: 0 });
    let Some(grant) = Grant::parse_key(key) else {
        return rejected;
    };
    let Grant::PostAddon(post) = &grant else {
        return rejected;
    };
    match serde_json::from_str::<Op>(body) {
        Ok(Op::Delete) => Some(state.kenar.delete_post_addon(post).await),
        Ok(Op::Create { addon }) => {
            let token = match tokens::access_token(state, &grant).await {
                Err(_) => {
                    return Some(SendOutcome::Retry {
                        status: None,
                        retry_after: None,
                    })
                }
                Ok(token) => token?,
            };
            Some(state.kenar.create_post_addon(post, &token, &addon).await)
        }
        Err(_) => rejected,
    }
}

/// Records where a change left the post once its row is settled: a create that went out turns
/// the widgets on, a delete that went out forgets the post (its row and its grant), anything
/// else fails.
pub async fn settled(
    state: &AppState,
    key: &str,
    body: &str,
    delivery: Delivery,
) -> Result<(), AppError> {
    let (Some(grant), Ok(op)) = (Grant::parse_key(key), serde_json::from_str::<Op>(body)) else {
        return Ok(());
    };
    let Grant::PostAddon(token) = &grant else {
        return Ok(());
    };
    let post = &token;
    let (from, to) = match (op, delivery) {
        (_, Delivery::Pending) => return Ok(()),
        // Only the removal that is still the post's latest change forgets it: a consent given
        // again meanwhile stays.
        (Op::Delete, Delivery::Sent) => {
            if rows::forget_removed(&state.db, post).await? {
                grants::revoke(&state.db, &grant).await?;
            }
            return Ok(());
        }
        (Op::Create { .. }, Delivery::Sent) => (AddonState::Adding, AddonState::On),
        (Op::Create { .. }, _) => (AddonState::Adding, AddonState::Failed),
        (Op::Delete, _) => (AddonState::Removing, AddonState::Failed),
    };
    let mut tx = state.db.begin().await?;
    rows::set(&mut tx, post, &[from], to, state.now()).await?;
    tx.commit().await?;
    Ok(())
}

/// Where Divar's answer to the seller's consent leaves the widgets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WidgetAnswer {
    /// The change is queued (or there was nothing to change).
    Done,
    /// The seller did not give the permission.
    Denied,
    /// Divar did not confirm the post's scope: the exchange failed, or the user who answered
    /// does not own the post.
    NotConfirmed,
}

/// Takes Divar's answer to the seller's consent for `purpose`: with the grant for this post,
/// the widgets are queued (or their removal); anything else changes nothing. Only the post's
/// owner can grant its scope, so a session from the direct link (anyone's to open) changes
/// nothing on a stranger's post.
pub async fn answer(
    state: &AppState,
    session: &LandingSession,
    purpose: Purpose,
    code: Option<&str>,
    verifier: Option<String>,
) -> Result<WidgetAnswer, AppError> {
    let (Some(code), Some(post)) = (code, super::offer::post_of(session)) else {
        return Ok(WidgetAnswer::Denied);
    };
    let wanted = Grant::PostAddon(post.clone());
    let grant = match state.oauth.exchange(code, verifier).await {
        Ok(grant) if grant.grants(&wanted) => grant,
        _ => return Ok(WidgetAnswer::NotConfirmed),
    };
    let (size, origin) = match purpose {
        Purpose::AddWidgets { size, origin } => (size, origin),
        Purpose::ChatMessage | Purpose::AssistantOn { .. } | Purpose::AssistantOff => {
            return Ok(WidgetAnswer::Done)
        }
        Purpose::RemoveWidgets => {
            // Only the owner's consent gets here; the removal needs no token.
            remove(state, &post).await?;
            return Ok(WidgetAnswer::Done);
        }
    };
    let Some(origin) = state.catalog.places.find(&origin) else {
        return Ok(WidgetAnswer::Done);
    };
    let widgets = super::widgets(state, &post, origin, size);
    // A grant whose user is unknown could never be revoked: it is not kept.
    let Some(user) = crate::consent::granting_user(state, &grant).await else {
        return Ok(WidgetAnswer::NotConfirmed);
    };
    granted(state, &post, size, &grant, &user, &widgets).await?;
    Ok(WidgetAnswer::Done)
}
