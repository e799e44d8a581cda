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

/// Why built-in TLS could not start.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// A PEM file is missing or not PEM.
    #[error("cannot read {path}: {detail}")]
    Pem {
        /// The file.
        path: std::path::PathBuf,
        /// Why.
        detail: String,
    },
    /// rustls refused the certificate or key.
    #[error("the TLS certificate and key do not work together: {0}")]
    Rustls(#[from] rustls::Error),
}

/// Reads the certificate chain and key (PEM) into a rustls configuration (TLS 1.2 and 1.3,
/// HTTP/2 and HTTP/1.1 offered).
pub fn load_tls(
    config: &crate::config::TlsConfig,
) -> Result<std::sync::Arc<rustls::ServerConfig>, TlsError> {
    use rustls::pki_types::pem::PemObject as _;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let pem = |path: &std::path::Path, e: rustls::pki_types::pem::Error| TlsError::Pem {
        path: path.to_owned(),
        detail: e.to_string(),
    };
    let certs = CertificateDer::pem_file_iter(&config.cert)
        .map_err(|e| pem(&config.cert, e))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| pem(&config.cert, e))?;
    if certs.is_empty() {
        return Err(TlsError::Pem {
            path: config.cert.clone(),
            detail: "it holds no certificate".into(),
        });
    }
    let key = PrivateKeyDer::from_pem_file(&config.key).map_err(|e| pem(&config.key, e))?;
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let mut server = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(certs, key)?;
    server.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(std::sync::Arc::new(server))
}

/// Serves `state` over TLS on `listener` until `shutdown` completes, then drains like
/// [`serve`].
pub async fn serve_tls(
    listener: TcpListener,
    state: AppState,
    tls: std::sync::Arc<rustls::ServerConfig>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    use hyper_util::rt::{TokioExecutor, TokioIo};
    use tower::Service as _;

    let grace = std::time::Duration::from_secs(state.config.limits.shutdown_grace_seconds);
    let acceptor = tokio_rustls::TlsAcceptor::from(tls);
    let app = router(state.clone());
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let (tcp, peer) = match accepted {
                    Ok(pair) => pair,
                    Err(e) => {
                        tracing::warn!(error = %e, "accepting a connection failed");
                        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let acceptor = acceptor.clone();
                let app = app.clone();
                let builder = builder.clone();
                let watcher = graceful.watcher();
                tokio::spawn(async move {
                    let handshake = tokio::time::timeout(
                        std::time::Duration::from_secs(15),
                        acceptor.accept(tcp),
                    );
                    let stream = match handshake.await {
                        Ok(Ok(stream)) => stream,
                        Ok(Err(e)) => {
                            tracing::debug!(%peer, error = %e, "TLS handshake failed");
                            return;
                        }
                        Err(_) => return,
                    };
                    let service = hyper::service::service_fn(move |mut req: hyper::Request<hyper::body::Incoming>| {
                        req.extensions_mut().insert(axum::extract::ConnectInfo(peer));
                        let mut app = app.clone();
                        async move { app.call(req.map(axum::body::Body::new)).await }
                    });
                    let conn = builder.serve_connection_with_upgrades(TokioIo::new(stream), service);
                    if let Err(e) = watcher.watch(conn.into_owned()).await {
                        tracing::debug!(%peer, error = %e, "connection ended with an error");
                    }
                });
            }
            () = &mut shutdown => break,
        }
    }
    drop(listener);
    state.set_ready(false);
    tracing::info!("shutting down: no new connections; waiting for requests in flight");
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(grace) => {
            tracing::warn!(seconds = grace.as_secs(), "requests still running after the grace period were cut off");
        }
    }
    Ok(())
}

/// Runs forever: every hour forgets idle rate-limit buckets, deletes expired unfinished
/// uploads, deletes submissions past the retention period (`[retention]`) and finishes blob
/// deletions an erasure or a retention run left queued (a crash, a store that failed).
pub async fn housekeeping(state: AppState) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
    loop {
        tick.tick().await;
        state.rate.forget_idle();
        match crate::blobs::sweep_expired(&state).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(uploads = n, "deleted expired unfinished uploads"),
            Err(e) => tracing::warn!(error = %e.message, "sweeping expired uploads failed"),
        }
        match crate::retention::run(&state, false).await {
            Ok(report) if !report.deleted.is_empty() => tracing::info!(
                submissions = report.deleted.len(),
                "deleted submissions past the retention period"
            ),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e.message, "the retention run failed"),
        }
        match crate::blobs::finish_deletions(&state).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(objects = n, "finished queued blob deletions"),
            Err(e) => tracing::warn!(error = %e.message, "finishing queued blob deletions failed"),
        }
    }
}
