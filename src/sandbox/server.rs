//! The sandbox's accept loop: one hyper HTTP/1 connection per socket, each with a [`Cutter`] so a
//! fault can end its connection with a TCP reset (SO_LINGER 0), which a router alone cannot do.

use std::sync::Arc;
use std::time::Duration;

use axum::http::Request;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;
use tokio::task::JoinSet;
use tower::ServiceExt as _;

use super::Sandbox;

/// Ends the connection a request came on with a reset. Each request carries one in its
/// extensions; whoever calls [`Cutter::reset`] must then never answer.
#[derive(Clone, Debug, Default)]
pub struct Cutter(Arc<Notify>);

impl Cutter {
    pub fn reset(&self) {
        self.0.notify_one();
    }
}

/// Serves the sandbox on `listener` until the task is aborted; aborting it also ends every open
/// connection (they live in a `JoinSet` owned here).
pub(super) async fn serve(listener: TcpListener, sandbox: Sandbox) {
    let router = sandbox.router();
    let mut connections = JoinSet::new();
    loop {
        match listener.accept().await {
            Ok((stream, _)) => {
                let _ = stream.set_nodelay(true);
                connections.spawn(connection(stream, sandbox.clone(), router.clone()));
            }
            // Out of file descriptors and the like: back off a moment and keep serving.
            Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
        }
        while connections.try_join_next().is_some() {}
    }
}

async fn connection(stream: TcpStream, sandbox: Sandbox, router: axum::Router) {
    // A second handle on the socket: hyper owns the first, and a reset needs SO_LINGER 0 set on
    // the socket before its last handle closes.
    let Ok((stream, spare)) = with_spare(stream) else {
        return;
    };
    let cutter = Cutter::default();
    let service = {
        let cutter = cutter.clone();
        hyper::service::service_fn(move |mut request: Request<Incoming>| {
            let (sandbox, router, cutter) = (sandbox.clone(), router.clone(), cutter.clone());
            async move {
                if sandbox.intercept(&mut request, &cutter) {
                    // Cut before the body was read: there is no answer.
                    return std::future::pending().await;
                }
                request.extensions_mut().insert(cutter);
                router.oneshot(request).await
            }
        })
    };
    let served =
        hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), service);
    tokio::select! {
        _ = served => {}
        () = cutter.0.notified() => {
            let _ = socket2::SockRef::from(&spare).set_linger(Some(Duration::ZERO));
        }
    }
    // Both handles close here; with SO_LINGER 0 the last close sends a reset, not a FIN.
}

fn with_spare(stream: TcpStream) -> std::io::Result<(TcpStream, std::net::TcpStream)> {
    let std = stream.into_std()?;
    let spare = std.try_clone()?;
    Ok((TcpStream::from_std(std)?, spare))
}
