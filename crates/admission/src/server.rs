//! The HTTPS server: `/validate` and `/mutate` (AdmissionReview),
//! `/healthz`, `/readyz`, `/metrics`; bounded bodies, a deadline per
//! request well under the webhook's timeoutSeconds, file watching
//! (certificate, policy, database) and graceful shutdown.

use crate::evaluate::Evaluator;
use crate::policy::OnError;
use crate::review::{self, AdmissionResponse, MAX_BODY, ReviewError};
use crate::tls::ReloadingCert;
use crate::watch::{read_bounded, stamp};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use serde_json::json;
use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::time::{Duration, Instant};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

pub struct Settings {
    pub listen: SocketAddr,
    pub cert: PathBuf,
    pub key: PathBuf,
    /// The policy file (reloaded on change), if any.
    pub policy: Option<PathBuf>,
    /// The vulnerability database (cached facts are dropped when it changes).
    pub db: Option<PathBuf>,
    /// Time to answer one review; keep it under the webhook's timeoutSeconds.
    pub request_timeout: Duration,
    /// How often the files are checked for changes.
    pub poll: Duration,
    /// Connections open at once; beyond, new ones wait in the listen
    /// backlog until one closes.
    pub max_connections: usize,
    /// TLS handshakes in progress at once (they cost CPU; the rest wait
    /// within their 10 s handshake deadline).
    pub max_handshakes: usize,
}

/// Defaults of the limits (also the CLI's).
pub const MAX_CONNECTIONS: usize = 1024;
pub const MAX_HANDSHAKES: usize = 64;
/// A TLS handshake, waiting for its turn included, must finish in this.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// Request headers must arrive within this, on a new connection and
/// between requests on a kept-alive one (so idle connections give their
/// slot back).
const HEADER_TIMEOUT: Duration = Duration::from_secs(5);

/// Adds one to a gauge for as long as it lives.
struct Gauge(
    Arc<crate::metrics::Metrics>,
    fn(&crate::metrics::Metrics) -> &AtomicU64,
);

impl Gauge {
    fn up(
        metrics: &Arc<crate::metrics::Metrics>,
        which: fn(&crate::metrics::Metrics) -> &AtomicU64,
    ) -> Gauge {
        which(metrics).fetch_add(1, Relaxed);
        Gauge(metrics.clone(), which)
    }
}

impl Drop for Gauge {
    fn drop(&mut self) {
        (self.1)(&self.0).fetch_sub(1, Relaxed);
    }
}

/// A connection slot: waits (without accepting) while every slot is
/// taken, counting the times it had to.
async fn slot(
    slots: &Arc<Semaphore>,
    metrics: &crate::metrics::Metrics,
) -> Option<OwnedSemaphorePermit> {
    match slots.clone().try_acquire_owned() {
        Ok(p) => Some(p),
        Err(_) => {
            metrics.connections_at_limit.fetch_add(1, Relaxed);
            slots.clone().acquire_owned().await.ok()
        }
    }
}

struct State {
    evaluator: Arc<Evaluator>,
    ready: AtomicBool,
    request_timeout: Duration,
}

/// Loads a policy file (the server refuses to start on a bad one; a bad
/// reload keeps the old policy).
pub fn load_policy(path: &std::path::Path) -> Result<crate::policy::Policy, String> {
    let bytes = read_bounded(path, crate::policy::parse::MAX_POLICY as u64)?;
    let text = String::from_utf8(bytes).map_err(|_| format!("{}: not UTF-8", path.display()))?;
    crate::policy::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Runs until `shutdown` completes, then stops accepting, reports not
/// ready, and lets requests in flight finish (up to 20 s). `bound`
/// receives the listening address (port 0 picks one).
pub async fn serve(
    settings: Settings,
    evaluator: Arc<Evaluator>,
    shutdown: impl Future<Output = ()> + Send,
    bound: Option<tokio::sync::oneshot::Sender<SocketAddr>>,
) -> Result<(), String> {
    let resolver = Arc::new(ReloadingCert::new(&settings.cert, &settings.key)?);
    evaluator.metrics.cert_reloads.fetch_add(1, Relaxed);
    let tls =
        tokio_rustls::TlsAcceptor::from(Arc::new(crate::tls::server_config(resolver.clone())?));
    let listener = tokio::net::TcpListener::bind(settings.listen)
        .await
        .map_err(|e| format!("listening on {}: {e}", settings.listen))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    if let Some(tx) = bound {
        let _ = tx.send(addr);
    }
    crate::log::event(json!({"event": "listening", "address": addr.to_string()}));
    let state = Arc::new(State {
        evaluator: evaluator.clone(),
        ready: AtomicBool::new(true),
        request_timeout: settings.request_timeout,
    });
    let watcher = tokio::spawn(watch_files(
        resolver,
        evaluator,
        settings.policy.clone(),
        settings.db.clone(),
        settings.poll,
    ));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let metrics = state.evaluator.metrics.clone();
    let slots = Arc::new(Semaphore::new(settings.max_connections.max(1)));
    let handshakes = Arc::new(Semaphore::new(settings.max_handshakes.max(1)));
    metrics
        .connections_max
        .store(settings.max_connections.max(1) as u64, Relaxed);
    tokio::pin!(shutdown);
    loop {
        // At the limit, stop accepting rather than accept and close: the
        // kernel keeps completing TCP handshakes into the listen backlog,
        // so the API server's call waits until an idle connection times
        // out (HEADER_TIMEOUT) instead of failing at once (which would
        // deny every workload under failurePolicy: Fail).
        let permit = tokio::select! {
            p = slot(&slots, &metrics) => match p {
                Some(p) => p,
                None => break,
            },
            _ = &mut shutdown => break,
        };
        tokio::select! {
            accepted = listener.accept() => {
                let (tcp, peer) = match accepted {
                    Ok(a) => a,
                    Err(e) => {
                        // Out of file descriptors and the like: wait, go on.
                        crate::log::event(json!({"event": "accept_error", "error": e.to_string()}));
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let _ = tcp.set_nodelay(true);
                metrics.connections.fetch_add(1, Relaxed);
                let open = (permit, Gauge::up(&metrics, |m| &m.connections_open));
                let (tls, state, handshakes, metrics) =
                    (tls.clone(), state.clone(), handshakes.clone(), metrics.clone());
                let watch = graceful.watcher();
                tokio::spawn(async move {
                    let _open = open;
                    let handshake = async {
                        let _turn = handshakes.acquire().await;
                        let _active = Gauge::up(&metrics, |m| &m.handshakes_active);
                        tls.accept(tcp).await
                    };
                    let stream = match tokio::time::timeout(HANDSHAKE_TIMEOUT, handshake).await {
                        Ok(Ok(s)) => s,
                        Ok(Err(e)) => {
                            metrics.handshake_failures.fetch_add(1, Relaxed);
                            crate::log::event(json!({"event": "tls_error", "peer": peer.to_string(), "error": e.to_string()}));
                            return;
                        }
                        Err(_) => {
                            metrics.handshake_failures.fetch_add(1, Relaxed);
                            return;
                        }
                    };
                    let service = hyper::service::service_fn(move |req| handle(state.clone(), req));
                    let conn = hyper::server::conn::http1::Builder::new()
                        .timer(TokioTimer::new())
                        .header_read_timeout(HEADER_TIMEOUT)
                        .max_buf_size(64 << 10)
                        .serve_connection(TokioIo::new(stream), service);
                    let _ = watch.watch(conn).await;
                });
            }
            _ = &mut shutdown => break,
        }
    }
    state.ready.store(false, Relaxed);
    drop(listener);
    watcher.abort();
    crate::log::event(json!({"event": "shutting_down"}));
    if tokio::time::timeout(Duration::from_secs(20), graceful.shutdown())
        .await
        .is_err()
    {
        crate::log::event(json!({"event": "shutdown_timeout"}));
    }
    Ok(())
}

async fn watch_files(
    cert: Arc<ReloadingCert>,
    evaluator: Arc<Evaluator>,
    policy: Option<PathBuf>,
    db: Option<PathBuf>,
    poll: Duration,
) {
    let mut policy_stamp = policy.as_deref().and_then(stamp);
    let mut db_stamp = db.as_deref().and_then(stamp);
    loop {
        tokio::time::sleep(poll).await;
        match cert.reload_if_changed() {
            Ok(true) => {
                evaluator.metrics.cert_reloads.fetch_add(1, Relaxed);
                crate::log::event(json!({"event": "certificate_reloaded"}));
            }
            Ok(false) => {}
            Err(e) => crate::log::event(
                json!({"event": "certificate_reload_failed", "error": e, "kept": "previous certificate"}),
            ),
        }
        if let Some(path) = &policy {
            let now = stamp(path);
            if now != policy_stamp {
                policy_stamp = now;
                match load_policy(path) {
                    Ok(p) => {
                        let before = evaluator.policy();
                        if (before.max_connections, before.max_handshakes)
                            != (p.max_connections, p.max_handshakes)
                        {
                            crate::log::event(
                                json!({"event": "limits_changed", "applies": "after a restart"}),
                            );
                        }
                        evaluator.set_policy(p);
                        evaluator.metrics.policy_reloads.fetch_add(1, Relaxed);
                        crate::log::event(
                            json!({"event": "policy_reloaded", "path": path.display().to_string()}),
                        );
                    }
                    Err(e) => {
                        evaluator.metrics.policy_reload_errors.fetch_add(1, Relaxed);
                        crate::log::event(
                            json!({"event": "policy_reload_failed", "error": e, "kept": "previous policy"}),
                        );
                    }
                }
            }
        }
        if let Some(path) = &db {
            let now = stamp(path);
            if now != db_stamp {
                db_stamp = now;
                evaluator.invalidate();
                crate::log::event(json!({"event": "database_changed", "cache": "cleared"}));
            }
        }
    }
}

fn text(status: StatusCode, body: impl Into<Bytes>, content_type: &str) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(body.into()));
    *r.status_mut() = status;
    r.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        content_type.parse().expect("static header"),
    );
    r
}

async fn handle(
    state: Arc<State>,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let path = req.uri().path().to_string();
    Ok(match (req.method(), path.as_str()) {
        (&Method::GET, "/healthz") => text(StatusCode::OK, "ok\n", "text/plain"),
        (&Method::GET, "/readyz") => {
            if state.ready.load(Relaxed) {
                text(StatusCode::OK, "ready\n", "text/plain")
            } else {
                text(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "shutting down\n",
                    "text/plain",
                )
            }
        }
        (&Method::GET, "/metrics") => text(
            StatusCode::OK,
            state.evaluator.metrics.render(),
            "text/plain; version=0.0.4",
        ),
        (&Method::POST, "/validate") => review_endpoint(&state, req, false).await,
        (&Method::POST, "/mutate") => review_endpoint(&state, req, true).await,
        (_, "/validate" | "/mutate") => text(
            StatusCode::METHOD_NOT_ALLOWED,
            "POST an AdmissionReview\n",
            "text/plain",
        ),
        _ => text(StatusCode::NOT_FOUND, "not found\n", "text/plain"),
    })
}

async fn review_endpoint(
    state: &State,
    req: Request<Incoming>,
    mutate: bool,
) -> Response<Full<Bytes>> {
    let started = Instant::now();
    let deadline = started + state.request_timeout;
    let path = if mutate { "/mutate" } else { "/validate" };
    let metrics = state.evaluator.metrics.clone();
    let fail = |status: StatusCode, msg: String| {
        metrics.request(path, "error", started.elapsed());
        crate::log::event(
            json!({"event": "bad_request", "path": path, "status": status.as_u16(), "error": msg}),
        );
        text(status, format!("{msg}\n"), "text/plain")
    };
    let declared = req
        .headers()
        .get(hyper::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY as u64) {
        return fail(
            StatusCode::PAYLOAD_TOO_LARGE,
            ReviewError::TooLarge.to_string(),
        );
    }
    let body = match tokio::time::timeout(
        state.request_timeout,
        Limited::new(req.into_body(), MAX_BODY).collect(),
    )
    .await
    {
        Ok(Ok(b)) => b.to_bytes(),
        Ok(Err(e)) if e.is::<http_body_util::LengthLimitError>() => {
            return fail(
                StatusCode::PAYLOAD_TOO_LARGE,
                ReviewError::TooLarge.to_string(),
            );
        }
        Ok(Err(e)) => return fail(StatusCode::BAD_REQUEST, format!("reading the body: {e}")),
        Err(_) => {
            return fail(
                StatusCode::REQUEST_TIMEOUT,
                "the body did not arrive in time".into(),
            );
        }
    };
    let (review, request) = match review::parse(&body) {
        Ok(r) => r,
        Err(e) => return fail(StatusCode::BAD_REQUEST, e.to_string()),
    };
    let evaluator = &state.evaluator;
    let left = deadline.saturating_duration_since(Instant::now());
    let decision =
        match tokio::time::timeout(left, evaluator.decide(&request, deadline, mutate)).await {
            Ok(d) => d,
            Err(_) => {
                let reason = format!(
                    "palisade could not decide within {} ms",
                    state.request_timeout.as_millis()
                );
                let allow = evaluator
                    .policy()
                    .rules_for(request.namespace.as_deref().unwrap_or(""))
                    .on_error
                    == OnError::Allow;
                crate::evaluate::Decision {
                    allowed: allow,
                    message: if allow {
                        String::new()
                    } else {
                        format!("{reason} (failing closed)")
                    },
                    warnings: if allow {
                        vec![format!("{reason}; allowed (on_error: allow)")]
                    } else {
                        Vec::new()
                    },
                    ..Default::default()
                }
            }
        };
    for v in &decision.denied {
        metrics.denial(v.rule);
    }
    crate::log::event(json!({
        "event": "decision",
        "path": path,
        "uid": crate::text::clip(&request.uid, 128),
        "kind": crate::text::clip(&request.kind.kind, 64),
        "namespace": request.namespace.as_deref().map(|n| crate::text::clip(n, 253)),
        "name": request.name.as_deref().map(|n| crate::text::clip(n, 253)),
        "operation": request.operation,
        "allowed": decision.allowed,
        "denied": decision.denied.iter().map(|v| json!({"image": v.image, "rule": v.rule, "reason": v.reason})).collect::<Vec<_>>(),
        "warned": decision.warnings.len(),
        "audit": decision.audited.iter().map(|v| json!({"image": v.image, "rule": v.rule, "reason": v.reason})).collect::<Vec<_>>(),
        "patched": decision.patch.len(),
        "ms": started.elapsed().as_secs_f64() * 1e3,
    }));
    let response = if decision.allowed {
        AdmissionResponse::allow(&request.uid)
            .with_warnings(&decision.warnings)
            .with_patch(&decision.patch)
    } else {
        AdmissionResponse::deny(&request.uid, 403, &decision.message)
            .with_warnings(&decision.warnings)
    };
    let body =
        serde_json::to_vec(&review::envelope(&review.api_version, response)).unwrap_or_default();
    metrics.request(
        path,
        if decision.allowed {
            "allowed"
        } else {
            "denied"
        },
        started.elapsed(),
    );
    text(StatusCode::OK, body, "application/json")
}

/// Runs the server on its own runtime until SIGTERM or SIGINT.
pub fn run(settings: Settings, evaluator: Arc<Evaluator>) -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("starting the runtime: {e}"))?;
    runtime.block_on(async move {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .map_err(|e| format!("installing the SIGTERM handler: {e}"))?;
        let shutdown = async move {
            tokio::select! {
                _ = term.recv() => {}
                _ = tokio::signal::ctrl_c() => {}
            }
        };
        serve(settings, evaluator, shutdown, None).await
    })
}
