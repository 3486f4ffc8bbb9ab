//! The webhook over real HTTPS: a self-signed certificate made with the
//! `openssl` CLI, the server on 127.0.0.1, real AdmissionReview payloads
//! (tests/data) posted by reqwest. Policies here use only the rules that
//! need no registry (registries, mutable_refs); the registry-backed rules
//! are tested end to end in crates/cli/tests/admission_e2e.rs.
//!
//! Needs `openssl`; without it the tests fail unless
//! PALISADE_SKIP_PEER_TESTS=1 is set (then they print why and pass).

use palisade_admission::evaluate::Evaluator;
use palisade_admission::facts::{ImageSource, Resolved, VulnFacts};
use palisade_admission::server::{Settings, load_policy, serve};
use palisade_admission::signature::Unavailable;
use palisade_image::RegistryRef;
use palisade_testsupport::tls::{https_client, make_cert, openssl_available};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// No registry: these policies never ask for one.
struct NoRegistry;
impl ImageSource for NoRegistry {
    fn resolve(&self, r: &RegistryRef) -> Result<Resolved, String> {
        Err(format!("no registry in this test ({r})"))
    }
    fn scan(&self, r: &RegistryRef) -> Result<VulnFacts, String> {
        Err(format!("no registry in this test ({r})"))
    }
}

struct Server {
    addr: std::net::SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<Result<(), String>>>,
    dir: tempfile::TempDir,
    ca: PathBuf,
}

impl Server {
    /// Starts the server with `policy` written to a file in a Secret-like
    /// layout: `tls.crt -> ..data/tls.crt`, `..data -> ..v1`.
    fn start(policy: &str) -> Server {
        Self::start_limited(policy, 1024)
    }

    fn start_limited(policy: &str, max_connections: usize) -> Server {
        let dir = tempfile::tempdir().unwrap();
        let palisade_testsupport::tls::Cert { ca, cert, key } = make_cert(dir.path(), "first");
        let v1 = dir.path().join("..v1");
        std::fs::create_dir(&v1).unwrap();
        std::fs::copy(&cert, v1.join("tls.crt")).unwrap();
        std::fs::copy(&key, v1.join("tls.key")).unwrap();
        std::os::unix::fs::symlink("..v1", dir.path().join("..data")).unwrap();
        std::os::unix::fs::symlink("..data/tls.crt", dir.path().join("tls.crt")).unwrap();
        std::os::unix::fs::symlink("..data/tls.key", dir.path().join("tls.key")).unwrap();
        let policy_path = dir.path().join("palisade.yaml");
        std::fs::write(&policy_path, policy).unwrap();
        let settings = Settings {
            listen: "127.0.0.1:0".parse().unwrap(),
            cert: dir.path().join("tls.crt"),
            key: dir.path().join("tls.key"),
            policy: Some(policy_path.clone()),
            db: None,
            request_timeout: Duration::from_secs(5),
            poll: Duration::from_millis(100),
            max_connections,
            max_handshakes: 4,
        };
        let evaluator = Arc::new(Evaluator::new(
            load_policy(&policy_path).unwrap(),
            Arc::new(NoRegistry),
            Arc::new(Unavailable),
            Arc::default(),
        ));
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let (addr_tx, addr_rx) = tokio::sync::oneshot::channel();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(serve(
                settings,
                evaluator,
                async {
                    let _ = stop_rx.await;
                },
                Some(addr_tx),
            ))
        });
        let addr = addr_rx.blocking_recv().expect("server started");
        Server {
            addr,
            stop: Some(stop_tx),
            thread: Some(thread),
            dir,
            ca,
        }
    }

    fn client(ca: &Path) -> reqwest::blocking::Client {
        https_client(ca, Duration::from_secs(10))
    }

    fn url(&self, path: &str) -> String {
        format!("https://localhost:{}{path}", self.addr.port())
    }

    fn post(&self, path: &str, body: Vec<u8>) -> (u16, String) {
        let r = Self::client(&self.ca)
            .post(self.url(path))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .expect("request");
        (r.status().as_u16(), r.text().unwrap())
    }

    fn review(&self, file: &str) -> Value {
        let body = std::fs::read(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/data")
                .join(file),
        )
        .unwrap();
        let (status, text) = self.post("/validate", body);
        assert_eq!(status, 200, "{text}");
        serde_json::from_str(&text).unwrap()
    }

    fn get(&self, path: &str) -> (u16, String) {
        let r = Self::client(&self.ca)
            .get(self.url(path))
            .send()
            .expect("request");
        (r.status().as_u16(), r.text().unwrap())
    }

    fn stop(mut self) {
        let _ = self.stop.take().unwrap().send(());
        self.thread.take().unwrap().join().unwrap().unwrap();
    }
}

const POLICY: &str = "
dockerfile:
  trusted_bases: [docker.io/library/busybox]
admission:
  rules:
    registries: {allowed: ['registry.example.com/team-*/*']}
    mutable_refs: enforce
";

#[test]
fn pods_are_denied_with_every_offending_image_named() {
    if !openssl_available("pods_are_denied") {
        return;
    }
    let server = Server::start(POLICY);
    let review = server.review("pod.json");
    assert_eq!(review["apiVersion"], "admission.k8s.io/v1");
    assert_eq!(review["kind"], "AdmissionReview");
    let r = &review["response"];
    assert_eq!(r["uid"], "705ab4f5-6393-11e8-b7cc-42010a800002");
    assert_eq!(r["allowed"], false);
    assert_eq!(r["status"]["code"], 403);
    let msg = r["status"]["message"].as_str().unwrap();
    assert!(msg.starts_with("palisade denied Pod team-a/web: "), "{msg}");
    assert!(
        msg.contains("image nginx: [mutable_refs] untagged"),
        "{msg}"
    );
    assert!(
        msg.contains("image nginx: [registries] registry/repository is not in the allowed list"),
        "{msg}"
    );
    assert!(
        msg.contains("image registry.example.com/team-a/proxy:latest: [mutable_refs]"),
        "{msg}"
    );
    assert!(
        !msg.contains("migrate"),
        "the pinned, allowed init image passes: {msg}"
    );
    server.stop();
}

#[test]
fn workloads_cronjobs_and_ephemeral_containers() {
    if !openssl_available("workloads") {
        return;
    }
    let server = Server::start(POLICY);
    let d = server.review("deployment.json");
    assert_eq!(d["response"]["allowed"], true, "{d}");
    assert_eq!(d["response"]["uid"], "b2a6a6f0-1c8e-4a51-9a0c-5f1c2d3e4f50");
    // busybox is allowed through the shared dockerfile.trusted_bases list.
    let c = server.review("cronjob.json");
    assert_eq!(c["response"]["allowed"], true, "{c}");
    let e = server.review("ephemeral.json");
    let msg = e["response"]["status"]["message"].as_str().unwrap();
    assert_eq!(e["response"]["allowed"], false);
    assert!(
        msg.contains("image docker.io/nicolaka/netshoot:v0.13: [registries]"),
        "{msg}"
    );
    assert!(!msg.contains("team-a/web:1.0.0"), "{msg}");
    // A kind without a pod spec is allowed; a v1beta1 review gets a v1beta1 answer.
    let cm = server.review("configmap.json");
    assert_eq!(cm["apiVersion"], "admission.k8s.io/v1beta1");
    assert_eq!(cm["response"]["allowed"], true);
    assert_eq!(
        cm["response"]["uid"],
        "f1f1f1f1-2222-4333-8444-555566667777"
    );
    server.stop();
}

#[test]
fn warn_and_audit_modes_allow() {
    if !openssl_available("warn_and_audit") {
        return;
    }
    let server = Server::start(
        "admission:\n  rules:\n    registries: {mode: audit, allowed: [registry.example.com]}\n    mutable_refs: warn\n",
    );
    let r = server.review("pod.json");
    assert_eq!(r["response"]["allowed"], true, "{r}");
    let warnings: Vec<&str> = r["response"]["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap())
        .collect();
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    assert!(
        warnings
            .iter()
            .all(|w| w.starts_with("palisade: image ") && w.contains("[mutable_refs]"))
    );
    assert!(
        !warnings.iter().any(|w| w.contains("[registries]")),
        "audit only logs"
    );
    server.stop();
}

#[test]
fn hostile_bodies_get_clear_errors() {
    if !openssl_available("hostile_bodies") {
        return;
    }
    let server = Server::start(POLICY);
    let (s, t) = server.post(
        "/validate",
        b"{\"apiVersion\": \"admission.k8s.io/v1\", ".to_vec(),
    );
    assert_eq!(s, 400);
    assert!(t.contains("malformed AdmissionReview"), "{t}");
    let (s, t) = server.post(
        "/validate",
        br#"{"apiVersion":"v1","kind":"Pod","metadata":{}}"#.to_vec(),
    );
    assert_eq!(
        (s, t.contains("expected an admission.k8s.io/v1")),
        (400, true),
        "{t}"
    );
    let mut huge = br#"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"x","kind":{"kind":"Pod"},"object":{"pad":""#.to_vec();
    huge.extend(std::iter::repeat_n(b'a', 4 << 20));
    huge.extend(br#""}}}"#);
    // 413, or the connection closed while the client still writes the
    // rest (the server answers without reading past the limit).
    match Server::client(&server.ca)
        .post(server.url("/validate"))
        .body(huge)
        .send()
    {
        Ok(r) => assert_eq!(r.status().as_u16(), 413),
        Err(e) => assert!(e.is_request(), "{e}"),
    }
    assert_eq!(server.get("/healthz").0, 200);
    let (_, m) = server.get("/metrics");
    assert!(m.contains("outcome=\"error\"} 3"), "{m}");
    let deep = format!("{}{}", "[".repeat(200_000), "]".repeat(200_000));
    let (s, _) = server.post("/validate", deep.into_bytes());
    assert_eq!(s, 400);
    // A review whose object is not what its kind says: denied, uid echoed.
    let bad = br#"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u-9","kind":{"kind":"Deployment"},"namespace":"x","object":{"spec":{"template":{"spec":{"containers":"nginx"}}}}}}"#;
    let (s, t) = server.post("/validate", bad.to_vec());
    let v: Value = serde_json::from_str(&t).unwrap();
    assert_eq!(
        (s, &v["response"]["uid"], &v["response"]["allowed"]),
        (200, &Value::from("u-9"), &Value::from(false)),
        "{t}"
    );
    let (s, _) = server.get("/validate");
    assert_eq!(s, 405);
    let (s, _) = server.get("/nope");
    assert_eq!(s, 404);
    server.stop();
}

#[test]
fn health_readiness_and_metrics() {
    if !openssl_available("health") {
        return;
    }
    let server = Server::start(POLICY);
    assert_eq!(server.get("/healthz"), (200, "ok\n".to_string()));
    assert_eq!(server.get("/readyz").0, 200);
    server.review("pod.json");
    server.review("deployment.json");
    let (s, m) = server.get("/metrics");
    assert_eq!(s, 200);
    assert!(
        m.contains("palisade_admission_requests_total{path=\"/validate\",outcome=\"denied\"} 1"),
        "{m}"
    );
    assert!(
        m.contains("palisade_admission_requests_total{path=\"/validate\",outcome=\"allowed\"} 1"),
        "{m}"
    );
    assert!(
        m.contains("palisade_admission_denials_total{rule=\"mutable_refs\"} 2"),
        "{m}"
    );
    assert!(
        m.contains("palisade_admission_denials_total{rule=\"registries\"} 1"),
        "{m}"
    );
    assert!(
        m.contains("palisade_admission_request_duration_seconds_count 2"),
        "{m}"
    );
    server.stop();
}

fn wait_for(what: &str, mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if f() {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("timed out waiting for {what}");
}

#[test]
fn certificate_swapped_like_kubelet_is_served() {
    if !openssl_available("certificate_reload") {
        return;
    }
    let server = Server::start(POLICY);
    let dir = server.dir.path().to_path_buf();
    assert_eq!(server.get("/healthz").0, 200);
    let palisade_testsupport::tls::Cert {
        ca: ca2,
        cert: cert2,
        key: key2,
    } = make_cert(&dir, "second");
    let new_client = Server::client(&ca2);
    let url = server.url("/healthz");
    assert!(
        new_client.get(&url).send().is_err(),
        "the new certificate is not served yet"
    );
    // kubelet: write a new timestamped directory, then swap `..data` atomically.
    let v2 = dir.join("..v2");
    std::fs::create_dir(&v2).unwrap();
    std::fs::copy(&cert2, v2.join("tls.crt")).unwrap();
    std::fs::copy(&key2, v2.join("tls.key")).unwrap();
    std::os::unix::fs::symlink("..v2", dir.join("..data_tmp")).unwrap();
    std::fs::rename(dir.join("..data_tmp"), dir.join("..data")).unwrap();
    wait_for("the new certificate", || {
        new_client.get(&url).send().is_ok()
    });
    assert!(
        Server::client(&server.ca).get(&url).send().is_err(),
        "the old certificate is gone"
    );
    // A broken swap (key of another certificate) keeps the served pair.
    let v3 = dir.join("..v3");
    std::fs::create_dir(&v3).unwrap();
    std::fs::copy(&cert2, v3.join("tls.crt")).unwrap();
    std::fs::copy(dir.join("first.key"), v3.join("tls.key")).unwrap();
    std::os::unix::fs::symlink("..v3", dir.join("..data_tmp")).unwrap();
    std::fs::rename(dir.join("..data_tmp"), dir.join("..data")).unwrap();
    std::thread::sleep(Duration::from_millis(500));
    assert!(new_client.get(&url).send().is_ok());
    let (_, m) = {
        let r = new_client.get(server.url("/metrics")).send().unwrap();
        (r.status(), r.text().unwrap())
    };
    assert!(
        m.contains("palisade_admission_certificate_reloads_total 2"),
        "{m}"
    );
    server.stop();
}

#[test]
fn policy_reloads_and_a_bad_policy_keeps_the_old_one() {
    if !openssl_available("policy_reload") {
        return;
    }
    let server = Server::start(POLICY);
    let path = server.dir.path().join("palisade.yaml");
    assert_eq!(server.review("cronjob.json")["response"]["allowed"], true);
    std::fs::write(
        &path,
        "admission:\n  rules:\n    registries: {allowed: [registry.example.com]}\n",
    )
    .unwrap();
    wait_for("the new policy", || {
        server.review("cronjob.json")["response"]["allowed"] == false
    });
    std::fs::write(
        &path,
        "admission:\n  rules:\n    registries: {allowed: [docker.io]}\n    typo_rule: enforce\n",
    )
    .unwrap();
    std::thread::sleep(Duration::from_millis(600));
    assert_eq!(
        server.review("cronjob.json")["response"]["allowed"],
        false,
        "the bad policy was not applied"
    );
    let (_, m) = server.get("/metrics");
    assert!(
        m.contains("palisade_admission_policy_reload_errors_total 1"),
        "{m}"
    );
    server.stop();
}

#[test]
fn exemptions_apply_until_they_expire() {
    if !openssl_available("exemptions") {
        return;
    }
    let server = Server::start(&format!(
        "{POLICY}  exemptions:
    - namespace: team-a
      images: [docker.io/library/nginx]
      reason: vendor image, replaced in Q1
      expires: 2999-01-01
    - namespace: team-a
      images: [registry.example.com/team-a/proxy]
      reason: expired on purpose
      expires: 2020-01-01
"
    ));
    let msg = server.review("pod.json")["response"]["status"]["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(!msg.contains("image nginx"), "{msg}");
    assert!(
        msg.contains("proxy:latest: [mutable_refs]"),
        "an expired exemption does not apply: {msg}"
    );
    server.stop();
}

/// A TLS connection that finished its handshake with the server and
/// then says nothing (or `partial`, the start of a request that never ends).
fn idle_tls(
    server: &Server,
    partial: &[u8],
) -> rustls::StreamOwned<rustls::ClientConnection, std::net::TcpStream> {
    use rustls::pki_types::{CertificateDer, ServerName, pem::PemObject};
    let mut roots = rustls::RootCertStore::empty();
    for c in CertificateDer::pem_file_iter(&server.ca).unwrap() {
        roots.add(c.unwrap()).unwrap();
    }
    let config = rustls::ClientConfig::builder_with_provider(palisade_admission::tls::provider())
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let mut conn =
        rustls::ClientConnection::new(Arc::new(config), ServerName::try_from("localhost").unwrap())
            .unwrap();
    let mut tcp = std::net::TcpStream::connect(server.addr).unwrap();
    while conn.is_handshaking() {
        conn.complete_io(&mut tcp).expect("TLS handshake");
    }
    let mut stream = rustls::StreamOwned::new(conn, tcp);
    use std::io::Write;
    stream.write_all(partial).unwrap();
    stream.flush().unwrap();
    stream
}

/// True when the server closed the connection (EOF or reset) within `within`.
fn closed_by_server(
    stream: &mut rustls::StreamOwned<rustls::ClientConnection, std::net::TcpStream>,
    within: Duration,
) -> bool {
    use std::io::Read;
    stream.sock.set_read_timeout(Some(within)).unwrap();
    let mut buf = [0u8; 512];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => continue, // a 408 or the like before the close
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                return false;
            }
            Err(_) => return true,
        }
    }
}

fn metric(text: &str, name: &str) -> u64 {
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' '))
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no {name} in {text}"))
}

#[test]
fn connections_beyond_the_limit_wait_and_idle_ones_are_closed() {
    if !openssl_available("connection_limit") {
        return;
    }
    let server = Server::start_limited(POLICY, 4);
    // Four slots taken: one idle after the handshake, one idle after a
    // kept-alive request, two slowloris clients that started a request
    // and stopped mid-headers.
    let started = Instant::now();
    let mut held = [
        idle_tls(&server, b""),
        // Kept alive after one answered request, then idle.
        idle_tls(&server, b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n"),
        idle_tls(&server, b"POST /validate HTTP/1.1\r\nHost: localhost\r\n"),
        idle_tls(&server, b"POST /validate HTTP/1.1\r\nContent-"),
    ];
    // The fifth connection is not refused: it waits in the backlog and is
    // served once the idle ones are closed by the 5 s header timeout.
    let (ca, url) = (server.ca.clone(), server.url("/validate"));
    let body =
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/pod.json")).unwrap();
    let fifth = std::thread::spawn(move || {
        let r = https_client(&ca, Duration::from_secs(30))
            .post(url)
            .body(body)
            .send()
            .expect("the fifth connection is served, not refused");
        (Instant::now(), r.status().as_u16(), r.text().unwrap())
    });
    for (i, c) in held.iter_mut().enumerate() {
        assert!(
            closed_by_server(c, Duration::from_secs(8)),
            "connection {i} was not closed by the header timeout"
        );
    }
    let closed = started.elapsed();
    assert!(
        closed >= Duration::from_secs(4),
        "closed after {closed:?}, before the 5 s header timeout"
    );
    let (served_at, status, text) = fifth.join().unwrap();
    assert_eq!(status, 200, "{text}");
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["response"]["allowed"], false, "{text}");
    assert!(
        served_at.duration_since(started) >= Duration::from_secs(4),
        "the fifth connection was served while four were open"
    );
    let (_, m) = server.get("/metrics");
    assert_eq!(metric(&m, "palisade_admission_connections_max"), 4);
    assert!(
        metric(&m, "palisade_admission_connections_at_limit_total") >= 1,
        "{m}"
    );
    assert!(
        metric(&m, "palisade_admission_connections_total") >= 6,
        "{m}"
    );
    // This /metrics connection is the one open now.
    assert!(
        metric(&m, "palisade_admission_connections_open") <= 2,
        "{m}"
    );
    server.stop();
}

#[test]
fn stalled_tls_handshakes_are_bounded_and_time_out() {
    if !openssl_available("handshake_limit") {
        return;
    }
    // The test server allows 4 handshakes at once: four clients that
    // connect and never send a ClientHello hold them all.
    let server = Server::start(POLICY);
    let stalled: Vec<_> = (0..4)
        .map(|_| std::net::TcpStream::connect(server.addr).unwrap())
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    let (ca, url) = (server.ca.clone(), server.url("/metrics"));
    let started = Instant::now();
    let waiting = std::thread::spawn(move || {
        let r = Server::client(&ca).get(url).send().expect("served");
        (Instant::now(), r.status().as_u16(), r.text().unwrap())
    });
    std::thread::sleep(Duration::from_secs(1));
    assert!(
        !waiting.is_finished(),
        "a fifth handshake ran while four were stalled"
    );
    // The stalled clients go away: their handshakes fail, the turn passes.
    let gone = Instant::now();
    drop(stalled);
    let (done, s, m) = waiting.join().unwrap();
    assert_eq!(s, 200);
    assert!(done >= gone && done.duration_since(started) < Duration::from_secs(9));
    // The first failed handshake frees the turn the fifth one needed, so
    // when it is answered the other three may not be counted yet.
    assert!(
        metric(&m, "palisade_admission_tls_handshake_failures_total") >= 1,
        "{m}"
    );
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let (_, m) = server.get("/metrics");
        let failures = metric(&m, "palisade_admission_tls_handshake_failures_total");
        if failures == 4 {
            break;
        }
        assert!(failures < 4, "{m}");
        assert!(
            Instant::now() < deadline,
            "{failures} of 4 handshake failures counted: {m}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    server.stop();
}
