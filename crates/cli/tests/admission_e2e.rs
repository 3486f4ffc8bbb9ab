//! `palisade serve admission` end to end: the real binary over HTTPS
//! (a CA and serving certificate made with the `openssl` CLI), the real
//! CNCF registry (`docker-registry`) on 127.0.0.1 fed by `skopeo`, the
//! bundled demo image (known-vulnerable packages) and its demo database.
//!
//! Needs docker-registry, skopeo and openssl; without them the tests fail
//! unless PALISADE_SKIP_REGISTRY_TESTS=1 (see support/registry.rs).

mod support {
    pub mod registry;
}

use palisade_testsupport::tls::{https_client, make_cert};
use palisade_testsupport::{ImageSpec, Layer, write_oci};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use support::registry::{
    Auth, REAL_TOOLS, Registry, free_port, skopeo_copy, skopeo_inspect, tools_available,
};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A running registry, or None when the registry tools or openssl (the
/// webhook's certificate) are missing.
fn start_registry(test: &str) -> Option<Registry> {
    let mut tools = REAL_TOOLS.to_vec();
    tools.push("openssl");
    tools_available(test, &tools).then(|| Registry::start(Auth::Anonymous))
}

/// Copies the bundled demo image into `registry` as `name_tag`.
fn push_demo(registry: &Registry, name_tag: &str) {
    skopeo_copy(
        &format!("oci:{}:latest", repo_root().join("demo/image").display()),
        &registry.docker_ref(name_tag),
        None,
        false,
    );
}

struct Webhook {
    child: Child,
    port: u16,
    client: reqwest::blocking::Client,
    log: PathBuf,
}

impl Webhook {
    fn start(dir: &Path, policy: &str, db: &Path) -> Webhook {
        Self::start_with(dir, policy, db, &[])
    }

    fn start_with(dir: &Path, policy: &str, db: &Path, extra: &[&str]) -> Webhook {
        let palisade_testsupport::tls::Cert { ca, cert, key } = make_cert(dir, "tls");
        let policy_path = dir.join("palisade.yaml");
        std::fs::write(&policy_path, policy).unwrap();
        let log = dir.join("webhook.log");
        let port = free_port();
        let child = Command::new(env!("CARGO_BIN_EXE_palisade"))
            .args(["serve", "admission", "--listen"])
            .arg(format!("127.0.0.1:{port}"))
            .arg("--tls-cert")
            .arg(&cert)
            .arg("--tls-key")
            .arg(&key)
            .arg("--config")
            .arg(&policy_path)
            .arg("--db")
            .arg(db)
            .args(["--poll", "0.2", "--request-timeout", "60"])
            .args(extra)
            .env("DOCKER_CONFIG", dir)
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .expect("palisade serve admission");
        let client = https_client(&ca, Duration::from_secs(120));
        let mut hook = Webhook {
            child,
            port,
            client,
            log,
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if hook.get("/healthz").0 == 200 {
                break;
            }
            assert!(
                hook.child.try_wait().unwrap().is_none() && Instant::now() < deadline,
                "the webhook did not come up: {}",
                hook.log()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        hook
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    fn get(&self, path: &str) -> (u16, String) {
        match self
            .client
            .get(format!("https://127.0.0.1:{}{path}", self.port))
            .send()
        {
            Ok(r) => (r.status().as_u16(), r.text().unwrap_or_default()),
            Err(_) => (0, String::new()),
        }
    }

    /// Posts a Pod review with these (name, image, securityContext) containers.
    fn pod(&self, path: &str, containers: &[(&str, &str, Value)]) -> Value {
        let containers: Vec<Value> = containers
            .iter()
            .map(|(n, i, sc)| json!({"name": n, "image": i, "securityContext": sc}))
            .collect();
        let review = json!({
            "apiVersion": "admission.k8s.io/v1",
            "kind": "AdmissionReview",
            "request": {
                "uid": "e2e-uid-1",
                "kind": {"group": "", "version": "v1", "kind": "Pod"},
                "resource": {"group": "", "version": "v1", "resource": "pods"},
                "namespace": "team-a",
                "name": "web",
                "operation": "CREATE",
                "userInfo": {"username": "e2e"},
                "object": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"},
                           "spec": {"containers": containers}},
            }
        });
        let r = self
            .client
            .post(format!("https://127.0.0.1:{}{path}", self.port))
            .json(&review)
            .send()
            .unwrap_or_else(|e| panic!("{e}; log: {}", self.log()));
        assert_eq!(r.status().as_u16(), 200, "{}", self.log());
        let v: Value = r.json().unwrap();
        assert_eq!(v["response"]["uid"], "e2e-uid-1");
        v["response"].clone()
    }

    /// SIGTERM, and the exit status.
    fn terminate(mut self) -> std::process::ExitStatus {
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status();
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(s) = self.child.try_wait().unwrap() {
                return s;
            }
            assert!(Instant::now() < deadline, "no exit after SIGTERM");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Webhook {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A small image running as `user`, with no packages.
fn push_small(registry: &Registry, dir: &Path, name: &str, user: &str) -> String {
    let layout = dir.join(name);
    let spec = ImageSpec::new(vec![Layer::new().file("app/run", b"#!/bin/sh\necho hi\n")])
        .config(json!({"User": user, "Cmd": ["/app/run"]}));
    write_oci(&layout, &spec, "1");
    skopeo_copy(
        &format!("oci:{}:1", layout.display()),
        &registry.docker_ref(&format!("{name}:1")),
        None,
        false,
    );
    manifest_digest(registry, &format!("{name}:1"))
}

fn manifest_digest(registry: &Registry, name: &str) -> String {
    let raw = skopeo_inspect(&registry.docker_ref(name), None, true);
    format!("sha256:{}", palisade_testsupport::sha256_hex(&raw))
}

#[test]
fn webhook_checks_registry_images_end_to_end() {
    let Some(registry) = start_registry("webhook_checks_registry_images_end_to_end") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let root = repo_root();
    push_demo(&registry, "demo:1");
    let app_digest = push_small(&registry, dir.path(), "app", "65532:65532");
    push_small(&registry, dir.path(), "rootapp", "");
    let host = &registry.host;
    let policy = format!(
        "admission:
  rules:
    registries: {{allowed: ['{host}']}}
    mutable_refs: enforce
    vulnerabilities: {{max_severity: HIGH, top: 3}}
    run_as_root: enforce
"
    );
    let hook = Webhook::start(dir.path(), &policy, &root.join("demo/vuln-demo.db"));

    // The demo image: known-vulnerable packages, CVE list in the message.
    let demo = format!("{host}/demo:1");
    let r = hook.pod(
        "/validate",
        &[("web", &demo, json!({"runAsNonRoot": true}))],
    );
    let msg = r["status"]["message"].as_str().unwrap_or_default();
    assert_eq!(r["allowed"], false, "{r}");
    assert!(
        msg.contains(&format!("image {demo}: [vulnerabilities] ")),
        "{msg}"
    );
    assert!(
        msg.contains("at or above HIGH (from palisade scan"),
        "{msg}"
    );
    assert!(msg.contains("CVE-") && msg.contains("fixed in "), "{msg}");
    assert!(msg.contains(" more"), "top 3 of more: {msg}");

    // A non-root image without vulnerabilities passes; its tag is pinned by /mutate.
    let app = format!("{host}/app:1");
    let r = hook.pod("/validate", &[("app", &app, json!({}))]);
    assert_eq!(r["allowed"], true, "{r}");
    let r = hook.pod("/mutate", &[("app", &app, json!({}))]);
    assert_eq!(r["allowed"], true, "{r}");
    assert_eq!(r["patchType"], "JSONPatch");
    use base64::Engine;
    let patch: Value = serde_json::from_slice(
        &base64::engine::general_purpose::STANDARD
            .decode(r["patch"].as_str().unwrap())
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        patch,
        json!([{"op": "replace", "path": "/spec/containers/0/image", "value": format!("{app}@{app_digest}")}])
    );
    // The pinned reference is then validated (and allowed) as is.
    let pinned = format!("{app}@{app_digest}");
    assert_eq!(
        hook.pod("/validate", &[("app", &pinned, json!({}))])["allowed"],
        true
    );

    // Root: the image's empty User is uid 0 unless the pod says otherwise.
    let rootapp = format!("{host}/rootapp:1");
    let r = hook.pod("/validate", &[("r", &rootapp, json!({}))]);
    let msg = r["status"]["message"].as_str().unwrap_or_default();
    assert!(
        msg.contains("[run_as_root] container \"r\": the image runs as root"),
        "{msg}"
    );
    let r = hook.pod("/validate", &[("r", &rootapp, json!({"runAsUser": 1000}))]);
    assert_eq!(r["allowed"], true, "{r}");

    // Unknown image: the registry says 404; fail closed with the reason.
    let r = hook.pod(
        "/validate",
        &[("x", &format!("{host}/missing:1"), json!({}))],
    );
    let msg = r["status"]["message"].as_str().unwrap_or_default();
    assert_eq!(r["allowed"], false);
    assert!(
        msg.contains("could not read the image from the registry"),
        "{msg}"
    );

    // Cached facts answered the repeated images.
    let (_, metrics) = hook.get("/metrics");
    let hits: u64 = metrics
        .lines()
        .find_map(|l| l.strip_prefix("palisade_admission_cache_hits_total "))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    assert!(hits >= 3, "{metrics}");

    // A signature rule whose key file is not a key: the check cannot be
    // made, so the default on_error denies (fail closed), saying why.
    let policy_path = dir.path().join("palisade.yaml");
    let key = dir.path().join("cosign.pub");
    std::fs::write(&key, "not used").unwrap();
    std::fs::write(
        &policy_path,
        format!(
            "admission:\n  rules:\n    signature: {{keys: ['{}']}}\n",
            key.display()
        ),
    )
    .unwrap();
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let r = hook.pod("/validate", &[("app", &app, json!({}))]);
        if r["allowed"] == false {
            let msg = r["status"]["message"].as_str().unwrap_or_default();
            assert!(
                msg.contains("[signature] signature could not be checked: policy key: "),
                "{msg}"
            );
            break;
        }
        assert!(
            Instant::now() < deadline,
            "policy not reloaded: {}",
            hook.log()
        );
        std::thread::sleep(Duration::from_millis(200));
    }

    let log = hook.log();
    assert!(log.contains("\"event\":\"decision\""), "{log}");
    let status = hook.terminate();
    assert!(status.success(), "exit after SIGTERM: {status:?}");
}

#[test]
fn print_manifests_renders_every_object() {
    let out = Command::new(env!("CARGO_BIN_EXE_palisade"))
        .args([
            "serve",
            "admission",
            "--print-manifests",
            "--namespace",
            "guard",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for kind in [
        "kind: Namespace",
        "kind: ServiceAccount",
        "kind: ConfigMap",
        "kind: Deployment",
        "kind: Service",
        "kind: PodDisruptionBudget",
        "kind: ValidatingWebhookConfiguration",
        "kind: MutatingWebhookConfiguration",
    ] {
        assert!(text.contains(kind), "{kind} missing");
    }
    assert!(text.contains("values: [\"kube-system\", \"guard\"]"));
    assert!(text.contains("readOnlyRootFilesystem: true"));
}

const KUBERNETES_VALIDATE: &str = "/opt/palisade-venv/bin/kubernetes-validate";

/// The printed manifests against the Kubernetes OpenAPI schemas that the
/// PyPI package `kubernetes-validate` ships (offline), strictly (unknown
/// fields are errors).
#[test]
fn printed_manifests_validate_against_the_kubernetes_schemas() {
    if !Path::new(KUBERNETES_VALIDATE).exists() {
        if std::env::var("PALISADE_SKIP_PEER_TESTS").as_deref() == Ok("1") {
            eprintln!("SKIPPED: {KUBERNETES_VALIDATE} missing, PALISADE_SKIP_PEER_TESTS=1");
            return;
        }
        panic!(
            "{KUBERNETES_VALIDATE} missing: /opt/palisade-venv/bin/pip install kubernetes-validate (or set PALISADE_SKIP_PEER_TESTS=1)"
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("ca.pem");
    std::fs::write(
        &ca,
        "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
    )
    .unwrap();
    for extra in [
        &[][..],
        &[
            "--no-mutate",
            "--failure-policy",
            "Ignore",
            "--timeout-seconds",
            "30",
        ][..],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_palisade"))
            .args(["serve", "admission", "--print-manifests", "--ca-file"])
            .arg(&ca)
            .args(extra)
            .output()
            .unwrap();
        assert!(out.status.success());
        let file = dir.path().join("manifests.yaml");
        std::fs::write(&file, &out.stdout).unwrap();
        let v = Command::new(KUBERNETES_VALIDATE)
            .args(["--strict", "--kubernetes-version", "1.33.0"])
            .arg(&file)
            .output()
            .unwrap();
        let report =
            String::from_utf8_lossy(&v.stdout).to_string() + &String::from_utf8_lossy(&v.stderr);
        assert!(v.status.success(), "kubernetes-validate: {report}");
        let docs = String::from_utf8(out.stdout)
            .unwrap()
            .matches("\nkind: ")
            .count();
        assert!(docs >= 7, "{docs} objects");
        assert_eq!(
            report.matches(" passed for resource ").count(),
            docs,
            "{report}"
        );
    }
}

/// Signs `name` (a tag in `registry`) with `key`; with `predicate`, also
/// attests a cosign vuln predicate.
fn sign(
    registry: &Registry,
    name: &str,
    key: &palisade_sign::SigningKey,
    predicate: Option<Value>,
) {
    let image = palisade_image::RegistryRef::parse(&format!("{}/{name}", registry.host)).unwrap();
    let options = palisade_image::RegistryOptions::default();
    let client = palisade_sign::connect(&image, &options, true).unwrap();
    let digest = palisade_sign::resolve(&client, &image).unwrap();
    palisade_sign::sign_digest(&client, &image, &digest, key, &Default::default()).unwrap();
    if let Some(p) = predicate {
        palisade_sign::attest_digest(
            &client,
            &image,
            &digest,
            key,
            "https://cosign.sigstore.dev/attestation/vuln/v1",
            p,
        )
        .unwrap();
    }
}

fn trivy_predicate(vulns: Value) -> Value {
    json!({
        "invocation": {"parameters": null, "uri": "", "event_id": "", "builder.id": ""},
        "scanner": {"uri": "pkg:github/aquasecurity/trivy", "version": "0.58.0",
                    "db": {"uri": "", "version": ""},
                    "result": {"SchemaVersion": 2, "Results": [{"Target": "app", "Vulnerabilities": vulns}]}},
        "metadata": {"scanStartedOn": "2026-12-06T00:00:00Z", "scanFinishedOn": "2026-12-06T00:00:01Z"}
    })
}

#[test]
fn signatures_and_vuln_attestations_end_to_end() {
    let Some(registry) = start_registry("signatures_and_vuln_attestations_end_to_end") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let root = repo_root();
    push_small(&registry, dir.path(), "unsigned", "65532");
    push_small(&registry, dir.path(), "signed", "65532");
    push_small(&registry, dir.path(), "other", "65532");
    push_small(&registry, dir.path(), "flagged", "65532");
    // The demo image has CVEs palisade's scan finds; its attestation says none.
    push_demo(&registry, "demo:1");
    let key = palisade_sign::SigningKey::generate();
    let stranger = palisade_sign::SigningKey::generate();
    sign(&registry, "signed:1", &key, None);
    sign(&registry, "other:1", &stranger, None);
    sign(&registry, "demo:1", &key, Some(trivy_predicate(json!([]))));
    sign(
        &registry,
        "flagged:1",
        &key,
        Some(trivy_predicate(
            json!([{"VulnerabilityID": "CVE-2024-0001", "PkgName": "libfoo",
            "InstalledVersion": "1.0", "FixedVersion": "1.1", "Severity": "CRITICAL"}]),
        )),
    );
    let pub_path = dir.path().join("cosign.pub");
    std::fs::write(&pub_path, key.public_key().to_pem()).unwrap();
    let policy = format!(
        "admission:
  rules:
    signature: {{keys: ['{}']}}
    vulnerabilities: {{max_severity: HIGH, trust_attestations: true}}
",
        pub_path.display()
    );
    let hook = Webhook::start(dir.path(), &policy, &root.join("demo/vuln-demo.db"));
    let host = &registry.host;
    let check = |name: &str| hook.pod("/validate", &[("c", &format!("{host}/{name}"), json!({}))]);

    let r = check("signed:1");
    assert_eq!(r["allowed"], true, "{r}");
    let r = check("unsigned:1");
    let msg = r["status"]["message"].as_str().unwrap_or_default();
    assert!(
        msg.contains("[signature] not signed by any of the policy's keys"),
        "{msg}"
    );
    let r = check("other:1");
    let msg = r["status"]["message"].as_str().unwrap_or_default();
    assert_eq!(r["allowed"], false);
    assert!(msg.contains("[signature] "), "{msg}");
    // The signed attestation is trusted over palisade's own scan ...
    let r = check("demo:1");
    assert_eq!(r["allowed"], true, "{r}\n{}", hook.log());
    // ... and its findings deny, named as coming from it.
    let r = check("flagged:1");
    let msg = r["status"]["message"].as_str().unwrap_or_default();
    assert!(
        msg.contains("[vulnerabilities] 1 vulnerabilities at or above HIGH (from signed vuln attestation (pkg:github/aquasecurity/trivy 0.58.0)): CVE-2024-0001 CRITICAL in libfoo 1.0 (fixed in 1.1)"),
        "{msg}"
    );
    assert!(hook.terminate().success());
}

fn metric(text: &str, name: &str) -> u64 {
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' '))
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no {name} in {text}"))
}

/// 16 reviews of one image nobody asked for before, at once: one tag
/// resolution, one scan and one read of each layer from the registry
/// (counted in the registry's own access log); the other requests wait
/// for that flight and get the same answer.
#[test]
fn concurrent_reviews_of_one_new_image_share_one_scan() {
    let Some(registry) = start_registry("concurrent_reviews_of_one_new_image_share_one_scan")
    else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let root = repo_root();
    push_demo(&registry, "burst:1");
    let manifest: Value =
        serde_json::from_slice(&skopeo_inspect(&registry.docker_ref("burst:1"), None, true))
            .unwrap();
    let layers: Vec<String> = manifest["layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["digest"].as_str().unwrap().to_string())
        .collect();
    assert!(!layers.is_empty());
    let access_log = registry
        .dir
        .path()
        .join(format!("registry-{}.log", registry.port));
    let gets = |what: &str| {
        std::fs::read_to_string(&access_log)
            .unwrap()
            .lines()
            .filter(|l| l.contains(&format!("\"GET /v2/burst/{what}")))
            .count()
    };
    let before: Vec<usize> = layers.iter().map(|d| gets(&format!("blobs/{d}"))).collect();
    let policy =
        "admission:\n  rules:\n    vulnerabilities: {max_severity: HIGH}\n    mutable_refs: off\n";
    let hook = Webhook::start(dir.path(), policy, &root.join("demo/vuln-demo.db"));
    let image = format!("{}/burst:1", registry.host);
    let barrier = std::sync::Barrier::new(16);
    let answers: Vec<Value> = std::thread::scope(|s| {
        let threads: Vec<_> = (0..16)
            .map(|_| {
                s.spawn(|| {
                    barrier.wait();
                    hook.pod("/validate", &[("c", &image, json!({}))])
                })
            })
            .collect();
        threads.into_iter().map(|t| t.join().unwrap()).collect()
    });
    let first = answers[0]["status"]["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(first.contains("[vulnerabilities] "), "{first}");
    for a in &answers {
        assert_eq!(a["allowed"], false);
        assert_eq!(a["status"]["message"], first.as_str(), "the same answer");
    }
    let (_, m) = hook.get("/metrics");
    assert_eq!(
        metric(&m, "palisade_admission_scans_total"),
        1,
        "one scan for 16 requests: {m}"
    );
    let merged = metric(&m, "palisade_admission_inflight_merged_total");
    let hits = metric(&m, "palisade_admission_cache_hits_total");
    let misses = metric(&m, "palisade_admission_cache_misses_total");
    // Every request looked up the digest and the vulnerabilities: 32
    // lookups. Two started the flights; the others joined them or,
    // arriving after they landed, found the cache (a request that missed
    // the cache just before a flight landed starts one more flight, which
    // finds the cache filled: rare, and still no second fetch).
    assert_eq!(hits + misses, 32, "{m}");
    assert!(merged + hits >= 28, "{m}");
    assert!(merged >= 1, "no request joined a flight: {m}");
    for (d, b) in layers.iter().zip(before) {
        assert_eq!(
            gets(&format!("blobs/{d}")) - b,
            1,
            "layer {d} read once from the registry"
        );
    }
    let manifests = gets("manifests/");
    assert!(
        manifests <= 3,
        "{manifests} manifest GETs (skopeo's, one resolution, one scan)"
    );
    assert!(hook.terminate().success());
}

/// The connection limits come from the flag, else the policy's
/// `admission.limits`, else the defaults.
#[test]
fn connection_limits_from_flags_policy_or_defaults() {
    if !palisade_testsupport::tls::openssl_available(
        "connection_limits_from_flags_policy_or_defaults",
    ) {
        return;
    }
    let db = repo_root().join("demo/vuln-demo.db");
    for (policy, flags, want) in [
        ("admission: {}\n", &[][..], 1024),
        ("admission: {limits: {max_connections: 3}}\n", &[][..], 3),
        (
            "admission: {limits: {max_connections: 3}}\n",
            &["--max-connections", "7"][..],
            7,
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let hook = Webhook::start_with(dir.path(), policy, &db, flags);
        let (_, m) = hook.get("/metrics");
        assert_eq!(
            metric(&m, "palisade_admission_connections_max"),
            want,
            "{policy} {flags:?}"
        );
        assert!(hook.terminate().success());
    }
}
