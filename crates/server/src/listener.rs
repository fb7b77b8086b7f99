//! Serving a router on a TCP listener with the limits a public server needs, which
//! `axum::serve` does not set: a client must send a request's headers within
//! [`ListenerLimits::header_read`] (slow clients cannot hold connections open), at most
//! [`ListenerLimits::connections`] connections are served at once (the rest wait in the
//! kernel's backlog), a connection lives at most [`CONNECTION_LIFETIME`] (so a client that
//! stops reading cannot hold a slot), and shutdown lets every request in flight finish, for at
//! most [`ListenerLimits::request`], before returning.

use std::future::Future;
use std::net::SocketAddr;
use std::pin::pin;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Semaphore};
use tower::ServiceExt;

use crate::config::ListenerLimits;

/// How long one connection is served: then it is closed after its request in flight, which
/// has [`ListenerLimits::request`] to finish. Browsers simply open a new one.
pub const CONNECTION_LIFETIME: Duration = Duration::from_secs(120);

/// Serves `router` on `listener` until `shutdown` resolves, then waits for the connections'
/// requests in flight. Handlers see each connection's peer as `ConnectInfo<SocketAddr>`.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ListenerLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let permits = Arc::new(Semaphore::new(limits.connections));
    let (shut_down, shutting_down) = watch::channel(false);
    let mut shutdown = pin!(shutdown);
    loop {
        let permit = tokio::select! {
            () = &mut shutdown => break,
            permit = permits.clone().acquire_owned() => permit.expect("the semaphore is never closed"),
        };
        let (stream, peer) = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors and the like: wait a moment rather than spin.
                    tracing::warn!(%error, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let connection = connection(stream, peer, router.clone(), limits, shutting_down.clone());
        tokio::spawn(async move {
            connection.await;
            drop(permit);
        });
    }
    shut_down.send_replace(true);
    let all = u32::try_from(limits.connections).unwrap_or(u32::MAX);
    // Each connection ends within the request timeout of the signal; the margin covers the
    // last bytes of its answer.
    let grace = limits.request + Duration::from_secs(1);
    if tokio::time::timeout(grace, permits.acquire_many(all))
        .await
        .is_err()
    {
        tracing::warn!("shutdown: connections still open after the grace period are dropped");
    }
    Ok(())
}

/// Serves one connection until the client closes it, or, at shutdown or the end of its
/// lifetime, until its request in flight is answered (for at most the request timeout).
async fn connection(
    stream: TcpStream,
    peer: SocketAddr,
    router: Router,
    limits: ListenerLimits,
    mut shutting_down: watch::Receiver<bool>,
) {
    // Answers are small and written whole; waiting to coalesce them only adds latency.
    let _ = stream.set_nodelay(true);
    let service = hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
        let mut request = request.map(Body::new);
        request.extensions_mut().insert(ConnectInfo(peer));
        router.clone().oneshot(request)
    });
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read);
    let mut served = pin!(builder.serve_connection(TokioIo::new(stream), service));
    let shutdown = async { shutting_down.wait_for(|now| *now).await.map(|_| ()) };
    tokio::select! {
        result = served.as_mut() => return finished(result),
        _ = shutdown => {}
        () = tokio::time::sleep(CONNECTION_LIFETIME) => {}
    }
    served.as_mut().graceful_shutdown();
    match tokio::time::timeout(limits.request, served).await {
        Ok(result) => finished(result),
        Err(_) => tracing::debug!("a connection that did not finish in time was dropped"),
    }
}

fn finished(result: Result<(), hyper::Error>) {
    if let Err(error) = result {
        // Clients that vanish or time out end here; nothing to do but note it.
        tracing::debug!(%error, "connection ended with an error");
    }
}
