//! Webhook endpoints through the API, for a token with `webhooks:manage`: list, register (the
//! secret answered once), rotate the secret, delete. The same use cases as the console's
//! ([`crate::webhooks`]); an endpoint that receives personal data needs `personal:read` too.

use domain::api::Scope;
use domain::webhook::Event;
use store::api::Token;
use store::webhooks::Endpoint;

use super::require;
use super::views::{NewWebhook, WebhookEndpoint, WebhookEndpoints, WebhookSecret};
use crate::problem::{Kind, Problem};
use crate::state::AppState;
use crate::webhooks::{self, Action, AddError, Added, Refused};

fn view(endpoint: Endpoint) -> WebhookEndpoint {
    WebhookEndpoint {
        id: endpoint.id,
        url: endpoint.url,
        events: endpoint.events.iter().map(|e| e.key().to_owned()).collect(),
        personal: endpoint.personal,
        enabled: endpoint.disabled_at.is_none(),
        failing_since: endpoint.failing_since,
        disabled_reason: endpoint.disabled_reason,
        created_at: endpoint.created_at,
    }
}

/// Who made a change, for the endpoint's record and the log.
fn by(token: &Token) -> String {
    format!("api:{}", token.name)
}

async fn found(state: &AppState, id: i64) -> Result<Endpoint, Problem> {
    store::webhooks::get(&state.db, id)
        .await?
        .ok_or_else(|| Problem::new(Kind::NotFound, "وب‌هوکی با این شناسه نیست."))
}

/// Endpoint `id`, if `token` may change it: one that receives personal data needs
/// `personal:read` too (its secret would sign what a system pretends Ersal sent about people).
async fn changeable(state: &AppState, token: &Token, id: i64) -> Result<Endpoint, Problem> {
    require(token, Scope::WebhooksManage)?;
    let endpoint = found(state, id).await?;
    if endpoint.personal {
        require(token, Scope::PersonalRead)?;
    }
    Ok(endpoint)
}

pub async fn list(state: &AppState, token: &Token) -> Result<WebhookEndpoints, Problem> {
    require(token, Scope::WebhooksManage)?;
    let endpoints = webhooks::endpoints(state).await?;
    Ok(WebhookEndpoints {
        endpoints: endpoints.into_iter().map(view).collect(),
    })
}

pub async fn add(
    state: &AppState,
    token: &Token,
    new: &NewWebhook,
) -> Result<WebhookSecret, Problem> {
    require(token, Scope::WebhooksManage)?;
    if new.personal {
        require(token, Scope::PersonalRead)?;
    }
    let mut events = Vec::new();
    for key in &new.events {
        let event = Event::parse(key)
            .ok_or_else(|| Problem::new(Kind::Invalid, format!("رویداد ناشناخته: {key}")))?;
        if !events.contains(&event) {
            events.push(event);
        }
    }
    let added = webhooks::add(state, &new.url, &events, new.personal, &by(token)).await;
    let Added { id, secret } = added.map_err(|error| match error {
        AddError::App(cause) => Problem::from(cause),
        AddError::Refused(Refused::TooMany) => Problem::new(Kind::Conflict, error.to_string()),
        AddError::Refused(refused) => Problem::new(Kind::Invalid, refused.to_string()),
    })?;
    Ok(WebhookSecret {
        endpoint: view(found(state, id).await?),
        secret,
    })
}

pub async fn rotate(state: &AppState, token: &Token, id: i64) -> Result<WebhookSecret, Problem> {
    let endpoint = changeable(state, token, id).await?;
    let rotated = webhooks::rotate(state, id, &by(token)).await?;
    let secret = rotated
        .ok_or_else(|| Problem::new(Kind::NotFound, "وب‌هوکی با این شناسه نیست."))?
        .secret;
    Ok(WebhookSecret {
        endpoint: view(endpoint),
        secret,
    })
}

pub async fn delete(state: &AppState, token: &Token, id: i64) -> Result<(), Problem> {
    changeable(state, token, id).await?;
    if webhooks::act(state, id, Action::Delete, &by(token)).await? {
        Ok(())
    } else {
        Err(Problem::new(Kind::NotFound, "وب‌هوکی با این شناسه نیست."))
    }
}
