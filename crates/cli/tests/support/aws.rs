//! Shared set-up of the `palisade aws` tests: the fixtures of
//! crates/aws/tests, running the binary, its JSON output, and moto's ECR
//! server (PyPI `moto[server]`, `moto_server` in /opt/palisade-venv/bin or
//! $PALISADE_MOTO_SERVER) on 127.0.0.1 for the live audit. Without moto the
//! live tests fail, unless PALISADE_SKIP_PEER_TESTS=1: then they print why
//! and pass.

#![allow(dead_code)]

use serde_json::Value;
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

pub const SKIP_ENV: &str = "PALISADE_SKIP_PEER_TESTS";

/// A file under crates/aws/tests/.
pub fn fixture(rel: &str) -> String {
    format!("{}/../aws/tests/{rel}", env!("CARGO_MANIFEST_DIR"))
}

/// Runs palisade with `args` and extra environment variables; the AWS
/// variables of the machine running the tests are removed so a developer's
/// own credentials never reach a test.
pub fn palisade_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_palisade"));
    cmd.args(args).stdin(Stdio::null());
    for (k, _) in std::env::vars() {
        if k.starts_with("AWS_") {
            cmd.env_remove(k);
        }
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("cannot run palisade")
}

pub fn palisade(args: &[&str]) -> Output {
    palisade_env(args, &[])
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The JSON on standard output (panics with both streams if it is not JSON).
pub fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            stderr(out)
        )
    })
}

/// `(rule, message)` of every finding of a JSON report, sorted.
pub fn findings(report: &Value) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

// ---------------------------------------------------------------------------
// moto

fn moto_binary() -> PathBuf {
    std::env::var_os("PALISADE_MOTO_SERVER")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/opt/palisade-venv/bin/moto_server"))
}

/// True when moto's server is installed; otherwise panics, or with
/// PALISADE_SKIP_PEER_TESTS=1 prints a skip message and returns false.
pub fn moto_available(test: &str) -> bool {
    let bin = moto_binary();
    if bin.is_file() {
        return true;
    }
    let msg = format!(
        "{test}: {} not found (install it: /opt/palisade-venv/bin/pip install 'moto[server]')",
        bin.display()
    );
    if std::env::var(SKIP_ENV).as_deref() == Ok("1") {
        eprintln!("SKIPPED {msg} ({SKIP_ENV}=1)");
        false
    } else {
        panic!("{msg}; or set {SKIP_ENV}=1 to skip");
    }
}

/// A moto server on 127.0.0.1, stopped (by its pid) when dropped.
pub struct Moto {
    child: Child,
    pub url: String,
    client: reqwest::blocking::Client,
}

pub const REGION: &str = "us-west-2";
/// moto's default account.
pub const ACCOUNT: &str = "123456789012";

impl Moto {
    pub fn start() -> Moto {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(moto_binary())
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("cannot start moto_server");
        let moto = Moto {
            child,
            url: format!("http://127.0.0.1:{port}"),
            client: reqwest::blocking::Client::new(),
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "moto_server did not start on {port}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        moto
    }

    /// One ECR API call (JSON 1.1 protocol). moto does not check signatures,
    /// but reads the region from the credential scope.
    pub fn ecr(&self, operation: &str, body: Value) -> Value {
        let resp = self
            .client
            .post(&self.url)
            .header("Content-Type", "application/x-amz-json-1.1")
            .header(
                "X-Amz-Target",
                format!("AmazonEC2ContainerRegistry_V20150921.{operation}"),
            )
            .header(
                "Authorization",
                format!(
                    "AWS4-HMAC-SHA256 Credential=testing/20261206/{REGION}/ecr/aws4_request, SignedHeaders=host, Signature=00"
                ),
            )
            .body(body.to_string())
            .send()
            .unwrap();
        let status = resp.status();
        let text = resp.text().unwrap();
        assert!(status.is_success(), "{operation}: {status} {text}");
        serde_json::from_str(&text).unwrap()
    }

    /// The environment palisade needs to reach this server with test
    /// credentials (and nothing from the machine's own AWS configuration).
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("AWS_ACCESS_KEY_ID", "AKIATESTINGMOTO00000".into()),
            ("AWS_SECRET_ACCESS_KEY", SECRET.into()),
            ("AWS_REGION", REGION.into()),
            ("AWS_CONFIG_FILE", "/nonexistent/aws-config".into()),
            (
                "AWS_SHARED_CREDENTIALS_FILE",
                "/nonexistent/aws-credentials".into(),
            ),
            ("AWS_EC2_METADATA_DISABLED", "true".into()),
        ]
    }
}

/// The test secret key: it must never appear in palisade's output.
pub const SECRET: &str = "motoTestSecretKeyNeverPrinted0123456789xy";

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
