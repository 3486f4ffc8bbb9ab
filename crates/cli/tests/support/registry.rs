//! Harness for the registry end-to-end tests: the real CNCF distribution
//! registry (`docker-registry`, Debian package of the same name) on
//! 127.0.0.1 with no auth, htpasswd (bcrypt) auth or token auth; a token
//! server issuing RS256 JWTs the registry accepts; `skopeo` to push and
//! inspect; a tiny HTTP/1.1 server for behaviours a real registry cannot be
//! made to show on demand; and a runner for the `palisade` binary.
//!
//! Tools needed: `docker-registry`, `skopeo`, `openssl` (token signing) and
//! `perl` (bcrypt via crypt(3) for htpasswd; perl-base is essential in
//! Debian). When one is missing the tests fail, unless
//! `PALISADE_SKIP_REGISTRY_TESTS=1` is set: then they print why and pass.

#![allow(dead_code)]

use palisade_testsupport::{Built, sha256_hex, write_blob};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub const REGISTRY_BIN: &str = "/usr/bin/docker-registry";
pub const SKIP_ENV: &str = "PALISADE_SKIP_REGISTRY_TESTS";

/// The longest a palisade run may take before the test kills it and fails:
/// a hang guard, not a timing test (a debug build hardening the 1 GB
/// debian12-large image with --squash takes minutes on a loaded 2-core machine).
const PALISADE_DEADLINE: Duration = Duration::from_secs(900);

// ---------------------------------------------------------------------------
// Tool checks

fn on_path(program: &str) -> bool {
    if program.contains('/') {
        return Path::new(program).is_file();
    }
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()))
}

/// True when the tools are there. When they are not: panics, or, with
/// `PALISADE_SKIP_REGISTRY_TESTS=1`, prints a skip message and returns false.
pub fn tools_available(test: &str, tools: &[&str]) -> bool {
    let missing: Vec<&str> = tools.iter().copied().filter(|t| !on_path(t)).collect();
    if missing.is_empty() {
        return true;
    }
    let msg = format!(
        "{test}: missing tools {missing:?} (Debian packages: docker-registry, skopeo, openssl, perl-base)"
    );
    if std::env::var(SKIP_ENV).as_deref() == Ok("1") {
        eprintln!("SKIPPED {msg} ({SKIP_ENV}=1)");
        false
    } else {
        panic!("{msg}; install them or set {SKIP_ENV}=1 to skip these tests");
    }
}

/// The tools every real-registry test needs.
pub const REAL_TOOLS: &[&str] = &[REGISTRY_BIN, "skopeo"];

// ---------------------------------------------------------------------------
// Small helpers

/// A port that was free a moment ago on 127.0.0.1.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn b64(bytes: &[u8], url: bool) -> String {
    let table: &[u8; 64] = if url {
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    } else {
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    };
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = (u32::from(chunk[0]) << 16)
            | (u32::from(*chunk.get(1).unwrap_or(&0)) << 8)
            | u32::from(*chunk.get(2).unwrap_or(&0));
        for i in 0..=chunk.len() {
            out.push(table[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
        if !url {
            for _ in chunk.len()..3 {
                out.push('=');
            }
        }
    }
    out
}

/// Standard base64 with padding (Basic auth, Docker config `auth`).
pub fn base64_std(bytes: &[u8]) -> String {
    b64(bytes, false)
}

/// URL-safe base64 without padding (JWT).
pub fn base64_url(bytes: &[u8]) -> String {
    b64(bytes, true)
}

fn run_ok(cmd: &mut Command) -> Vec<u8> {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// One raw `GET` on 127.0.0.1:port; the status code, or None if no answer.
fn probe(port: u16, path: &str) -> Option<u16> {
    let mut s = TcpStream::connect_timeout(
        &SocketAddr::from((Ipv4Addr::LOCALHOST, port)),
        Duration::from_millis(500),
    )
    .ok()?;
    s.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut buf = [0u8; 64];
    let n = s.read(&mut buf).ok()?;
    let line = String::from_utf8_lossy(&buf[..n]);
    line.split_whitespace().nth(1)?.parse().ok()
}

// ---------------------------------------------------------------------------
// The real registry

pub enum Auth {
    Anonymous,
    /// htpasswd (bcrypt) with these users.
    Htpasswd(Vec<(String, String)>),
    /// Token auth against `realm`, trusting `cert` (PEM).
    Token {
        realm: String,
        service: String,
        issuer: String,
        cert: PathBuf,
    },
}

/// A `docker-registry serve` on 127.0.0.1, killed on drop.
pub struct Registry {
    child: Child,
    pub port: u16,
    /// `127.0.0.1:PORT`.
    pub host: String,
    pub dir: tempfile::TempDir,
}

/// A bcrypt hash by crypt(3) (libxcrypt) through perl, as `htpasswd -B` makes.
fn bcrypt(password: &str) -> String {
    // Salt: 22 characters of the bcrypt alphabet, varied per call.
    const ALPHABET: &[u8] = b"./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let seed = sha256_hex(format!("{password}{:?}", Instant::now()).as_bytes());
    let mut salt: String = seed
        .bytes()
        .take(21)
        .map(|b| ALPHABET[b as usize % ALPHABET.len()] as char)
        .collect();
    salt.push('.'); // the last character carries only 2 bits: keep it canonical
    let out = run_ok(
        Command::new("perl")
            .arg("-e")
            .arg("print crypt($ARGV[0], $ARGV[1])")
            .arg(password)
            .arg(format!("$2b$05${salt}")),
    );
    let hash = String::from_utf8(out).unwrap();
    assert!(
        hash.starts_with("$2b$05$") && hash.len() == 60,
        "perl crypt() did not produce bcrypt (libcrypt without bcrypt?): {hash:?}"
    );
    hash
}

impl Registry {
    pub fn start(auth: Auth) -> Registry {
        let dir = tempfile::tempdir().unwrap();
        let auth_yaml = match &auth {
            Auth::Anonymous => String::new(),
            Auth::Htpasswd(users) => {
                let lines: String = users
                    .iter()
                    .map(|(u, p)| format!("{u}:{}\n", bcrypt(p)))
                    .collect();
                let path = dir.path().join("htpasswd");
                std::fs::write(&path, lines).unwrap();
                format!(
                    "auth:\n  htpasswd:\n    realm: palisade-test\n    path: {}\n",
                    path.display()
                )
            }
            Auth::Token {
                realm,
                service,
                issuer,
                cert,
            } => format!(
                "auth:\n  token:\n    realm: {realm}\n    service: {service}\n    issuer: {issuer}\n    rootcertbundle: {}\n",
                cert.display()
            ),
        };
        // The port comes from binding port 0 and releasing it: another
        // process may grab it in between, so retry a few times.
        let mut last_log = String::new();
        for _ in 0..5 {
            let port = free_port();
            let config = dir.path().join("config.yml");
            std::fs::write(
                &config,
                format!(
                    "version: 0.1\nlog:\n  level: info\n  accesslog:\n    disabled: false\nstorage:\n  cache:\n    blobdescriptor: inmemory\n  filesystem:\n    rootdirectory: {}\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:{port}\n  secret: palisade-test-secret\n  headers:\n    X-Content-Type-Options: [nosniff]\n{auth_yaml}",
                    dir.path().join("storage").display()
                ),
            )
            .unwrap();
            let log_path = dir.path().join(format!("registry-{port}.log"));
            let log = std::fs::File::create(&log_path).unwrap();
            let mut child = Command::new(REGISTRY_BIN)
                .arg("serve")
                .arg(&config)
                .stdin(Stdio::null())
                .stdout(log.try_clone().unwrap())
                .stderr(log)
                .spawn()
                .unwrap_or_else(|e| panic!("cannot start {REGISTRY_BIN}: {e}"));
            let deadline = Instant::now() + Duration::from_secs(15);
            let mut up = false;
            while Instant::now() < deadline {
                if child.try_wait().unwrap().is_some() {
                    break;
                }
                // 200 without auth, 401 with auth: either means it is serving.
                if matches!(probe(port, "/v2/"), Some(200 | 401)) {
                    up = true;
                    break;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            if up {
                return Registry {
                    child,
                    port,
                    host: format!("127.0.0.1:{port}"),
                    dir,
                };
            }
            let _ = child.kill();
            let _ = child.wait();
            last_log = std::fs::read_to_string(&log_path).unwrap_or_default();
            if !last_log.contains("address already in use") {
                break;
            }
        }
        panic!("docker-registry did not come up; its log:\n{last_log}");
    }

    /// `docker://127.0.0.1:PORT/REPO`.
    pub fn docker_ref(&self, repo_and_tag: &str) -> String {
        format!("docker://{}/{repo_and_tag}", self.host)
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// ---------------------------------------------------------------------------
// skopeo

/// `skopeo copy` from `src` to `dest` (TLS verification off for the
/// destination; `all` copies every image of an index).
pub fn skopeo_copy(src: &str, dest: &str, creds: Option<&str>, all: bool) {
    let mut cmd = Command::new("skopeo");
    cmd.args([
        "--insecure-policy",
        "copy",
        "--quiet",
        "--dest-tls-verify=false",
    ]);
    if all {
        cmd.arg("--all");
    }
    if let Some(c) = creds {
        cmd.arg("--dest-creds").arg(c);
    }
    cmd.arg(src).arg(dest);
    run_ok(&mut cmd);
}

/// `skopeo inspect` (`raw`: the manifest bytes as the registry serves them).
pub fn skopeo_inspect(reference: &str, creds: Option<&str>, raw: bool) -> Vec<u8> {
    let mut cmd = Command::new("skopeo");
    cmd.args(["inspect", "--tls-verify=false"]);
    if raw {
        cmd.arg("--raw");
    }
    if let Some(c) = creds {
        cmd.arg("--creds").arg(c);
    }
    cmd.arg(reference);
    run_ok(&mut cmd)
}

/// `skopeo inspect --config --raw`: the image config as the registry serves it.
pub fn skopeo_inspect_config(reference: &str) -> Value {
    let out = run_ok(
        Command::new("skopeo")
            .args(["inspect", "--tls-verify=false", "--config", "--raw"])
            .arg(reference),
    );
    serde_json::from_slice(&out).expect("skopeo printed an invalid config")
}

/// Writes an OCI layout at `dir` holding a multi-platform index tagged
/// `tag` over `images` (each with its os/arch); returns the index digest
/// and each image's manifest digest.
pub fn write_oci_index(
    dir: &Path,
    images: &[(&str, &str, &Built)],
    tag: &str,
) -> (String, Vec<String>) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("oci-layout"), br#"{"imageLayoutVersion":"1.0.0"}"#).unwrap();
    let mut descriptors = Vec::new();
    let mut digests = Vec::new();
    for (os, arch, built) in images {
        for b in &built.blobs {
            write_blob(dir, b);
        }
        write_blob(dir, &built.config);
        let manifest = built.manifest();
        let digest = write_blob(dir, &manifest);
        descriptors.push(json!({
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "digest": digest,
            "size": manifest.len(),
            "platform": {"os": os, "architecture": arch},
        }));
        digests.push(digest);
    }
    let index = serde_json::to_vec(&json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": descriptors,
    }))
    .unwrap();
    let index_digest = write_blob(dir, &index);
    let top = json!({
        "schemaVersion": 2,
        "manifests": [{
            "mediaType": "application/vnd.oci.image.index.v1+json",
            "digest": index_digest,
            "size": index.len(),
            "annotations": {"org.opencontainers.image.ref.name": tag},
        }],
    });
    std::fs::write(dir.join("index.json"), serde_json::to_vec(&top).unwrap()).unwrap();
    (index_digest, digests)
}

// ---------------------------------------------------------------------------
// palisade

pub struct Run {
    /// None when killed by a signal.
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    pub elapsed: Duration,
}

impl Run {
    pub fn json(&self) -> Value {
        assert_eq!(
            self.code,
            Some(0),
            "palisade failed: {}\nstdout: {}",
            self.stderr,
            self.stdout
        );
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("palisade printed invalid JSON ({e}):\n{}", self.stdout))
    }

    /// Asserts exit code 2 with one `palisade: error: ` line that contains
    /// every one of `needles`; returns stderr.
    pub fn expect_error(&self, needles: &[&str]) -> &str {
        assert_eq!(
            self.code,
            Some(2),
            "expected exit code 2; stderr: {}\nstdout: {}",
            self.stderr,
            self.stdout
        );
        assert!(
            self.stderr.starts_with("palisade: error: ")
                && self.stderr.trim_end().lines().count() == 1,
            "expected one `palisade: error:` line, got: {:?}",
            self.stderr
        );
        for n in needles {
            assert!(
                self.stderr.contains(n),
                "stderr should mention {n:?}: {}",
                self.stderr
            );
        }
        &self.stderr
    }
}

/// Runs palisade with `args`, `stdin` (if any) and extra environment
/// variables. The environment is made hermetic: `DOCKER_CONFIG` points at an
/// empty directory unless `env` sets it, and `PALISADE_USERNAME` is removed.
pub fn palisade(args: &[&str], stdin: Option<&str>, env: &[(&str, &str)]) -> Run {
    let empty = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_palisade"));
    cmd.args(args)
        .env_remove("PALISADE_USERNAME")
        .env("DOCKER_CONFIG", empty.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        });
    for (k, v) in env {
        cmd.env(k, v);
    }
    let start = Instant::now();
    let mut child = cmd.spawn().expect("cannot run palisade");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    let mut out_pipe = child.stdout.take().unwrap();
    let mut err_pipe = child.stderr.take().unwrap();
    let out_reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = out_pipe.read_to_end(&mut s);
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = err_pipe.read_to_end(&mut s);
        s
    });
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > PALISADE_DEADLINE {
            let _ = child.kill();
            let _ = child.wait();
            panic!("palisade {args:?} did not finish within {PALISADE_DEADLINE:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let elapsed = start.elapsed();
    Run {
        code: status.code(),
        stdout: String::from_utf8_lossy(&out_reader.join().unwrap()).into_owned(),
        stderr: String::from_utf8_lossy(&err_reader.join().unwrap()).into_owned(),
        elapsed,
    }
}

// ---------------------------------------------------------------------------
// A tiny HTTP/1.1 server for fakes (and the token server)

#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    /// Path with the query string.
    pub target: String,
    /// Lower-cased names.
    pub headers: BTreeMap<String, String>,
}

impl Request {
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or("")
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }
    /// Decoded query parameters, in order (`+` and `%XX` decoded).
    pub fn query(&self) -> Vec<(String, String)> {
        let Some((_, q)) = self.target.split_once('?') else {
            return Vec::new();
        };
        q.split('&')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap_or((p, ""));
                (percent_decode(k), percent_decode(v))
            })
            .collect()
    }
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => {
                let hex = std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("zz");
                match u8::from_str_radix(hex, 16) {
                    Ok(v) => {
                        out.push(v);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

pub enum Reply {
    Respond {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    /// Read the request, then never answer (until the server is dropped).
    Hang,
    /// Close the connection without answering.
    Close,
    /// Write these bytes as the whole answer (not HTTP, say), then close.
    Raw(Vec<u8>),
}

impl Reply {
    pub fn new(status: u16, body: impl Into<Vec<u8>>) -> Reply {
        Reply::Respond {
            status,
            headers: Vec::new(),
            body: body.into(),
        }
    }
    pub fn header(mut self, name: &str, value: &str) -> Reply {
        if let Reply::Respond { headers, .. } = &mut self {
            headers.push((name.to_string(), value.to_string()));
        }
        self
    }
    pub fn json(status: u16, value: &Value) -> Reply {
        Reply::new(status, serde_json::to_vec(value).unwrap())
            .header("Content-Type", "application/json")
    }
}

type Handler = dyn Fn(&Request) -> Reply + Send + Sync;

/// An HTTP/1.1 server on a local address, one request per connection.
/// Connections that do not start with an HTTP method (a TLS ClientHello,
/// say) are closed unanswered. Every HTTP request is recorded.
pub struct FakeServer {
    pub addr: SocketAddr,
    stop: Arc<AtomicBool>,
    requests: Arc<Mutex<Vec<Request>>>,
    /// Connections that were not plain HTTP (TLS attempts).
    non_http: Arc<Mutex<usize>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl FakeServer {
    pub fn start(handler: impl Fn(&Request) -> Reply + Send + Sync + 'static) -> FakeServer {
        FakeServer::start_on(IpAddr::V4(Ipv4Addr::LOCALHOST), handler)
    }

    pub fn start_on(
        ip: IpAddr,
        handler: impl Fn(&Request) -> Reply + Send + Sync + 'static,
    ) -> FakeServer {
        let listener = TcpListener::bind((ip, 0)).unwrap();
        let addr = listener.local_addr().unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let non_http = Arc::new(Mutex::new(0));
        let handler: Arc<Handler> = Arc::new(handler);
        let thread = {
            let stop = stop.clone();
            let requests = requests.clone();
            let non_http = non_http.clone();
            std::thread::spawn(move || {
                for conn in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(conn) = conn else { continue };
                    let (stop, requests, non_http, handler) = (
                        stop.clone(),
                        requests.clone(),
                        non_http.clone(),
                        handler.clone(),
                    );
                    std::thread::spawn(move || {
                        serve_connection(conn, &stop, &requests, &non_http, &*handler)
                    });
                }
            })
        };
        FakeServer {
            addr,
            stop,
            requests,
            non_http,
            thread: Some(thread),
        }
    }

    /// `127.0.0.1:PORT`.
    pub fn host(&self) -> String {
        self.addr.to_string()
    }

    pub fn requests(&self) -> Vec<Request> {
        self.requests.lock().unwrap().clone()
    }

    pub fn non_http_connections(&self) -> usize {
        *self.non_http.lock().unwrap()
    }
}

impl Drop for FakeServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn serve_connection(
    mut conn: TcpStream,
    stop: &AtomicBool,
    requests: &Mutex<Vec<Request>>,
    non_http: &Mutex<usize>,
    handler: &Handler,
) {
    let _ = conn.set_read_timeout(Some(Duration::from_secs(10)));
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        match conn.read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
        if !buf[0].is_ascii_uppercase() {
            *non_http.lock().unwrap() += 1;
            return; // TLS or garbage: drop the connection
        }
        if buf.windows(4).any(|w| w == b"\r\n\r\n") || buf.len() > 64 << 10 {
            break;
        }
    }
    let head = String::from_utf8_lossy(&buf);
    let head = head.split("\r\n\r\n").next().unwrap_or("");
    let mut lines = head.split("\r\n");
    let mut first = lines.next().unwrap_or("").split(' ');
    let method = first.next().unwrap_or("").to_string();
    let target = first.next().unwrap_or("").to_string();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let req = Request {
        method,
        target,
        headers,
    };
    requests.lock().unwrap().push(req.clone());
    match handler(&req) {
        Reply::Respond {
            status,
            headers,
            body,
        } => {
            let mut out = format!("HTTP/1.1 {status} Fake\r\n");
            for (k, v) in &headers {
                out.push_str(&format!("{k}: {v}\r\n"));
            }
            out.push_str(&format!(
                "Content-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            ));
            let _ = conn.write_all(out.as_bytes());
            if req.method != "HEAD" {
                let _ = conn.write_all(&body);
            }
            let _ = conn.flush();
        }
        Reply::Hang => {
            let until = Instant::now() + Duration::from_secs(60);
            while !stop.load(Ordering::SeqCst) && Instant::now() < until {
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        Reply::Close => {}
        Reply::Raw(bytes) => {
            let _ = conn.write_all(&bytes);
            let _ = conn.flush();
        }
    }
}

// ---------------------------------------------------------------------------
// A fake registry serving one testsupport-built image

/// The blobs and manifest of one image, served as `team/app:v1`.
#[derive(Clone)]
pub struct ImageFiles {
    pub manifest: Vec<u8>,
    pub manifest_digest: String,
    /// digest → bytes (config and layers).
    pub blobs: BTreeMap<String, Vec<u8>>,
    pub config_digest: String,
    pub layer_digests: Vec<String>,
    pub diff_ids: Vec<String>,
}

impl ImageFiles {
    pub fn new(built: &Built) -> ImageFiles {
        let manifest = built.manifest();
        let mut blobs = BTreeMap::new();
        let config_digest = format!("sha256:{}", sha256_hex(&built.config));
        blobs.insert(config_digest.clone(), built.config.clone());
        let mut layer_digests = Vec::new();
        for b in &built.blobs {
            let d = format!("sha256:{}", sha256_hex(b));
            blobs.insert(d.clone(), b.clone());
            layer_digests.push(d);
        }
        ImageFiles {
            manifest_digest: format!("sha256:{}", sha256_hex(&manifest)),
            manifest,
            blobs,
            config_digest,
            layer_digests,
            diff_ids: built
                .tars
                .iter()
                .map(|t| format!("sha256:{}", sha256_hex(t)))
                .collect(),
        }
    }

    /// The answer a well-behaved anonymous registry gives for `team/app`
    /// (`v1` or the manifest digest); 404 otherwise.
    pub fn serve(&self, req: &Request) -> Reply {
        let path = req.path();
        if path == "/v2/" || path == "/v2" {
            return Reply::json(200, &json!({}));
        }
        if let Some(r) = path.strip_prefix("/v2/team/app/manifests/") {
            if r == "v1" || r == self.manifest_digest {
                return Reply::new(200, self.manifest.clone())
                    .header("Content-Type", "application/vnd.oci.image.manifest.v1+json")
                    .header("Docker-Content-Digest", &self.manifest_digest);
            }
            return Reply::json(
                404,
                &json!({"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}),
            );
        }
        if let Some(d) = path.strip_prefix("/v2/team/app/blobs/") {
            if let Some(b) = self.blobs.get(d) {
                return Reply::new(200, b.clone())
                    .header("Content-Type", "application/octet-stream")
                    .header("Docker-Content-Digest", d);
            }
            return Reply::json(
                404,
                &json!({"errors":[{"code":"BLOB_UNKNOWN","message":"blob unknown"}]}),
            );
        }
        Reply::json(
            404,
            &json!({"errors":[{"code":"NAME_UNKNOWN","message":"repository name not known to registry"}]}),
        )
    }
}

// ---------------------------------------------------------------------------
// Token server (for distribution's `auth: token`)

/// Issues RS256 JWTs signed by a self-signed certificate (made with the
/// openssl CLI) whose DER goes in the JWT header's `x5c`; the registry
/// trusts it through `rootcertbundle`. Grants every scope it is asked for to
/// the one user it knows; anonymous or wrong credentials get 401.
pub struct TokenServer {
    pub server: FakeServer,
    pub dir: tempfile::TempDir,
    pub cert: PathBuf,
    pub service: String,
    pub issuer: String,
}

impl TokenServer {
    pub fn start(user: &str, password: &str) -> TokenServer {
        let dir = tempfile::tempdir().unwrap();
        let key = dir.path().join("key.pem");
        let cert = dir.path().join("cert.pem");
        run_ok(
            Command::new("openssl")
                .args([
                    "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                ])
                .args(["-subj", "/CN=palisade-test-token-issuer"])
                .arg("-keyout")
                .arg(&key)
                .arg("-out")
                .arg(&cert)
                .stderr(Stdio::null()),
        );
        let der = run_ok(
            Command::new("openssl")
                .args(["x509", "-outform", "DER", "-in"])
                .arg(&cert),
        );
        let header = base64_url(
            &serde_json::to_vec(&json!({"typ": "JWT", "alg": "RS256", "x5c": [base64_std(&der)]}))
                .unwrap(),
        );
        let service = "palisade-registry".to_string();
        let issuer = "palisade-test-issuer".to_string();
        let expected_auth = format!(
            "Basic {}",
            base64_std(format!("{user}:{password}").as_bytes())
        );
        let (svc, iss, user) = (service.clone(), issuer.clone(), user.to_string());
        let server = FakeServer::start(move |req| {
            if req.path() != "/token" {
                return Reply::new(404, "not found");
            }
            if req.header("authorization") != Some(expected_auth.as_str()) {
                return Reply::json(401, &json!({"details": "bad or missing credentials"}))
                    .header("WWW-Authenticate", "Basic realm=\"token\"");
            }
            let access: Vec<Value> = req
                .query()
                .into_iter()
                .filter(|(k, _)| k == "scope")
                .filter_map(|(_, scope)| {
                    let (kind, rest) = scope.split_once(':')?;
                    let (name, actions) = rest.rsplit_once(':')?;
                    Some(json!({
                        "type": kind,
                        "name": name,
                        "actions": actions.split(',').collect::<Vec<_>>(),
                    }))
                })
                .collect();
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_secs();
            let claims = json!({
                "iss": iss,
                "sub": user,
                "aud": svc,
                "exp": now + 600,
                "nbf": now - 60,
                "iat": now,
                "jti": format!("{now}-{}", access.len()),
                "access": access,
            });
            let signing_input = format!(
                "{header}.{}",
                base64_url(&serde_json::to_vec(&claims).unwrap())
            );
            let signature = sign_rs256(&key, signing_input.as_bytes());
            let token = format!("{signing_input}.{}", base64_url(&signature));
            Reply::json(200, &json!({"token": token, "expires_in": 600}))
        });
        TokenServer {
            server,
            dir,
            cert,
            service,
            issuer,
        }
    }

    pub fn realm(&self) -> String {
        format!("http://{}/token", self.server.host())
    }

    pub fn auth(&self) -> Auth {
        Auth::Token {
            realm: self.realm(),
            service: self.service.clone(),
            issuer: self.issuer.clone(),
            cert: self.cert.clone(),
        }
    }
}

fn sign_rs256(key: &Path, data: &[u8]) -> Vec<u8> {
    let mut child = Command::new("openssl")
        .args(["dgst", "-sha256", "-sign"])
        .arg(key)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("cannot run openssl");
    child.stdin.take().unwrap().write_all(data).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "openssl dgst -sign failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}
