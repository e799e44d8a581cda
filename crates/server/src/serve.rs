//! Serving: bind, accept (plain HTTP, or TLS built in), and shut down gracefully — stop
//! accepting, answer `/ready` with 503, let in-flight requests finish within the grace period.
//! An upload interrupted by the shutdown resumes later from the offset the server last
//! acknowledged (tus), since acknowledged bytes are already in the blob store.

use std::future::Future;
use std::net::SocketAddr;

use tokio::net::TcpListener;

use crate::AppState;
use crate::app::router;

/// Serves `state` on `listener` until `shutdown` completes, then drains.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let grace = std::time::Duration::from_secs(state.config.limits.shutdown_grace_seconds);
    let app = router(state.clone()).into_make_service_with_connect_info::<SocketAddr>();
    let draining = state.clone();
    let (stopped_tx, stopped_rx) = tokio::sync::oneshot::channel::<()>();
    let server = axum::serve(listener, app).with_graceful_shutdown(async move {
        shutdown.await;
        draining.set_ready(false);
        tracing::info!("shutting down: no new connections; waiting for requests in flight");
        let _ = stopped_tx.send(());
    });
    let mut server = std::pin::pin!(server.into_future());
    tokio::select! {
        result = &mut server => result,
        () = async {
            let _ = stopped_rx.await;
            tokio::time::sleep(grace).await;
        } => {
            tracing::warn!(seconds = grace.as_secs(), "requests still running after the grace period were cut off");
            Ok(())
        }
    }
}

/// Completes on SIGINT (Ctrl-C) or SIGTERM (systemd, containers).
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}
