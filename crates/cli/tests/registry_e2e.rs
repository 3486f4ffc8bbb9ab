//! End-to-end tests of palisade's registry source: the real CNCF
//! distribution registry (`docker-registry`) fed by `skopeo`, with no auth,
//! htpasswd basic auth and token auth; and fake servers for what a real
//! registry will not do on demand (hang, 429/5xx, lie about digests,
//! garbage, a scripted bearer flow, redirects to storage).
//!
//! Real-registry tests fail when the tools are missing unless
//! PALISADE_SKIP_REGISTRY_TESTS=1 (see support/registry.rs).

mod support {
    pub mod registry;
}

use palisade_testsupport::{Compression, ImageSpec, Layer, sha256_hex, write_oci};
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use support::registry::{
    Auth, FakeServer, ImageFiles, REAL_TOOLS, Registry, Reply, TokenServer, base64_std, palisade,
    skopeo_copy, skopeo_inspect, skopeo_inspect_config, tools_available, write_oci_index,
};

fn demo_spec() -> ImageSpec {
    ImageSpec::new(vec![
        Layer::new()
            .file("etc/os-release", b"PRETTY_NAME=\"Demo\"\nID=demo\n")
            .created_by("ADD rootfs.tar /"),
        Layer::new()
            .file("app/run.sh", b"#!/bin/sh\necho hello\n")
            .file("app/data.bin", &[7u8; 3000])
            .created_by("COPY app /app"),
    ])
    .config(json!({
        "User": "1000:1000",
        "Env": ["PATH=/usr/bin:/bin", "APP_MODE=demo"],
        "Entrypoint": ["/bin/sh", "-c"],
        "Cmd": ["/app/run.sh"],
    }))
}

fn digests_of(blobs: &[Vec<u8>]) -> Vec<String> {
    blobs
        .iter()
        .map(|b| format!("sha256:{}", sha256_hex(b)))
        .collect()
}

fn layer_field(report: &Value, field: &str) -> Vec<Value> {
    report["layers"]
        .as_array()
        .expect("layers array")
        .iter()
        .map(|l| l[field].clone())
        .collect()
}

fn strings(v: &[Value]) -> Vec<String> {
    v.iter()
        .map(|x| x.as_str().expect("string").to_string())
        .collect()
}

/// The report without the reference (which names the source).
fn without_reference(mut v: Value) -> Value {
    v.as_object_mut().unwrap().remove("reference");
    v
}

/// Pushes `spec` as `repo_tag` (e.g. `team/app:v1`); returns the manifest digest.
fn push(registry: &Registry, spec: &ImageSpec, repo_tag: &str, creds: Option<&str>) -> String {
    let oci = tempfile::tempdir().unwrap();
    let digest = write_oci(oci.path(), spec, "v1");
    skopeo_copy(
        &format!("oci:{}:v1", oci.path().display()),
        &registry.docker_ref(repo_tag),
        creds,
        false,
    );
    digest
}

// ---------------------------------------------------------------------------
// Real registry, anonymous

#[test]
fn anonymous_registry_matches_testsupport_skopeo_and_oci_layout() {
    if !tools_available("anonymous_registry", REAL_TOOLS) {
        return;
    }
    let registry = Registry::start(Auth::Anonymous);
    let spec = demo_spec();
    let built = spec.build();
    let oci = tempfile::tempdir().unwrap();
    let manifest_digest = write_oci(oci.path(), &spec, "v1");
    let oci_ref = format!("oci:{}:v1", oci.path().display());
    skopeo_copy(&oci_ref, &registry.docker_ref("team/app:v1"), None, false);

    let input = registry.docker_ref("team/app:v1");
    let report = palisade(&["inspect", &input, "--format", "json"], None, &[]).json();

    // What testsupport built.
    assert_eq!(report["reference"], input);
    assert_eq!(report["manifest_digest"], manifest_digest);
    assert_eq!(
        report["config_digest"],
        format!("sha256:{}", sha256_hex(&built.config))
    );
    assert_eq!(report["platform"], "linux/amd64");
    assert_eq!(
        strings(&layer_field(&report, "digest")),
        digests_of(&built.blobs)
    );
    assert_eq!(
        strings(&layer_field(&report, "diff_id")),
        digests_of(&built.tars)
    );
    let sizes = |field: &str| -> Vec<u64> {
        layer_field(&report, field)
            .iter()
            .map(|v| v.as_u64().unwrap())
            .collect()
    };
    assert_eq!(
        sizes("compressed_size"),
        built
            .blobs
            .iter()
            .map(|b| b.len() as u64)
            .collect::<Vec<_>>()
    );
    assert_eq!(
        sizes("uncompressed_size"),
        built
            .tars
            .iter()
            .map(|t| t.len() as u64)
            .collect::<Vec<_>>()
    );
    assert_eq!(sizes("files_added"), vec![1, 2], "{report:#}");
    assert_eq!(sizes("content_bytes"), vec![27, 3021], "{report:#}");
    assert!(
        layer_field(&report, "digest_verified")
            .iter()
            .all(|v| v == &json!(true)),
        "{report:#}"
    );
    assert_eq!(report["config"]["user"], "1000:1000");
    assert_eq!(report["config"]["cmd"], json!(["/app/run.sh"]));
    assert_eq!(report["config"]["entrypoint"], json!(["/bin/sh", "-c"]));
    assert!(
        report["config"]["env"]
            .as_array()
            .unwrap()
            .contains(&json!("APP_MODE=demo"))
    );
    assert_eq!(report["totals"]["layers"], 2);

    // What skopeo sees in the registry.
    let sk: Value = serde_json::from_slice(&skopeo_inspect(&input, None, false)).unwrap();
    assert_eq!(sk["Digest"], report["manifest_digest"]);
    assert_eq!(sk["Layers"], json!(layer_field(&report, "digest")));
    // skopeo 1.9 (Debian 12) has no LayersData: take digests and sizes from
    // the manifest and the diff-ids from the config as skopeo fetches them.
    let manifest: Value = serde_json::from_slice(&skopeo_inspect(&input, None, true)).unwrap();
    let sk_layers: Vec<(Value, Value)> = manifest["layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (l["digest"].clone(), l["size"].clone()))
        .collect();
    let ours: Vec<(Value, Value)> = report["layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (l["digest"].clone(), l["compressed_size"].clone()))
        .collect();
    assert_eq!(sk_layers, ours);
    assert_eq!(manifest["config"]["digest"], report["config_digest"]);
    let config = skopeo_inspect_config(&input);
    assert_eq!(
        config["rootfs"]["diff_ids"],
        json!(layer_field(&report, "diff_id"))
    );

    // The same image read from the OCI layout gives the same report.
    let from_oci = palisade(&["inspect", &oci_ref, "--format", "json"], None, &[]).json();
    assert_eq!(
        without_reference(from_oci),
        without_reference(report.clone())
    );

    // By digest.
    let by_digest = registry.docker_ref(&format!("team/app@{manifest_digest}"));
    let r = palisade(&["inspect", &by_digest, "--format", "json"], None, &[]).json();
    assert_eq!(r["manifest_digest"], manifest_digest);
    assert_eq!(r["layers"], report["layers"]);

    // Bare HOST/REPO:TAG, and the table output.
    let bare = format!("{}/team/app:v1", registry.host);
    let r = palisade(&["inspect", &bare, "--format", "json"], None, &[]).json();
    assert_eq!(r["manifest_digest"], manifest_digest);
    assert_eq!(r["layers"], report["layers"]);
    let table = palisade(&["inspect", &bare], None, &[]);
    assert_eq!(table.code, Some(0), "{}", table.stderr);
    assert!(table.stdout.contains(&manifest_digest), "{}", table.stdout);
}

#[test]
fn missing_repository_tag_or_digest_is_a_404_naming_the_reference() {
    if !tools_available("missing_repository", REAL_TOOLS) {
        return;
    }
    let registry = Registry::start(Auth::Anonymous);
    push(&registry, &demo_spec(), "team/app:v1", None);

    let missing_tag = registry.docker_ref("team/app:nope");
    palisade(&["inspect", &missing_tag], None, &[]).expect_error(&[
        &missing_tag,
        "404",
        "MANIFEST_UNKNOWN",
    ]);

    let missing_repo = registry.docker_ref("team/ghost:v1");
    palisade(&["inspect", &missing_repo], None, &[]).expect_error(&[&missing_repo, "404"]);

    let missing_digest = registry.docker_ref(&format!(
        "team/app@sha256:{}",
        sha256_hex(b"no such manifest")
    ));
    palisade(&["inspect", &missing_digest], None, &[]).expect_error(&["team/app@sha256:", "404"]);
}

#[test]
fn multi_platform_index_selects_platform_and_lists_the_available_ones() {
    if !tools_available("multi_platform", REAL_TOOLS) {
        return;
    }
    let registry = Registry::start(Auth::Anonymous);
    let amd = demo_spec().platform("linux", "amd64").build();
    let arm = ImageSpec::new(vec![
        Layer::new().file("etc/os-release", b"PRETTY_NAME=\"Demo arm\"\n"),
    ])
    .platform("linux", "arm64")
    .build();
    let oci = tempfile::tempdir().unwrap();
    let (index_digest, manifests) = write_oci_index(
        oci.path(),
        &[("linux", "amd64", &amd), ("linux", "arm64", &arm)],
        "multi",
    );
    skopeo_copy(
        &format!("oci:{}:multi", oci.path().display()),
        &registry.docker_ref("team/multi:v1"),
        None,
        true,
    );
    // skopeo pushed the index as it is.
    let raw = skopeo_inspect(&registry.docker_ref("team/multi:v1"), None, true);
    assert_eq!(format!("sha256:{}", sha256_hex(&raw)), index_digest);

    let input = registry.docker_ref("team/multi:v1");
    let r = palisade(
        &[
            "inspect",
            &input,
            "--platform",
            "linux/arm64",
            "--format",
            "json",
        ],
        None,
        &[],
    )
    .json();
    assert_eq!(r["platform"], "linux/arm64");
    assert_eq!(r["manifest_digest"], manifests[1]);
    assert_eq!(strings(&layer_field(&r, "digest")), digests_of(&arm.blobs));

    let r = palisade(
        &[
            "inspect",
            &input,
            "--platform",
            "linux/amd64",
            "--format",
            "json",
        ],
        None,
        &[],
    )
    .json();
    assert_eq!(r["platform"], "linux/amd64");
    assert_eq!(r["manifest_digest"], manifests[0]);
    assert_eq!(strings(&layer_field(&r, "diff_id")), digests_of(&amd.tars));

    // The index by digest works too.
    let by_digest = registry.docker_ref(&format!("team/multi@{index_digest}"));
    let r = palisade(
        &[
            "inspect",
            &by_digest,
            "--platform",
            "linux/arm64",
            "--format",
            "json",
        ],
        None,
        &[],
    )
    .json();
    assert_eq!(r["manifest_digest"], manifests[1]);

    // Without --platform: this machine's platform.
    let host_manifest = match std::env::consts::ARCH {
        "x86_64" => Some(&manifests[0]),
        "aarch64" => Some(&manifests[1]),
        _ => None,
    };
    let run = palisade(&["inspect", &input, "--format", "json"], None, &[]);
    match host_manifest {
        Some(m) => assert_eq!(&run.json()["manifest_digest"], m),
        None => {
            run.expect_error(&["no image for platform", "linux/amd64, linux/arm64"]);
        }
    }

    palisade(&["inspect", &input, "--platform", "linux/s390x"], None, &[])
        .expect_error(&["linux/s390x", "linux/amd64, linux/arm64"]);
}

// ---------------------------------------------------------------------------
// Real registry, htpasswd basic auth

const USER: &str = "alice";
const PASSWORD: &str = "Zq7-unique-pa55word";

fn assert_no_password(runs: &[&support::registry::Run], password: &str) {
    for r in runs {
        assert!(
            !r.stdout.contains(password) && !r.stderr.contains(password),
            "password leaked: {}{}",
            r.stdout,
            r.stderr
        );
        let encoded = base64_std(format!("{USER}:{password}").as_bytes());
        assert!(!r.stderr.contains(&encoded) && !r.stdout.contains(&encoded));
    }
}

#[test]
fn basic_auth_with_password_stdin() {
    if !tools_available("basic_auth", &[REAL_TOOLS[0], REAL_TOOLS[1], "perl"]) {
        return;
    }
    let registry = Registry::start(Auth::Htpasswd(vec![(USER.into(), PASSWORD.into())]));
    let creds = format!("{USER}:{PASSWORD}");
    let digest = push(&registry, &demo_spec(), "team/app:v1", Some(&creds));
    let input = registry.docker_ref("team/app:v1");

    let anonymous = palisade(&["inspect", &input], None, &[]);
    anonymous.expect_error(&[&input, "401", "username and password"]);

    let good = palisade(
        &[
            "inspect",
            &input,
            "--username",
            USER,
            "--password-stdin",
            "--format",
            "json",
        ],
        Some(&format!("{PASSWORD}\n")),
        &[],
    );
    assert_eq!(good.json()["manifest_digest"], digest);

    let wrong = palisade(
        &["inspect", &input, "--username", USER, "--password-stdin"],
        Some("not-the-password\n"),
        &[],
    );
    wrong.expect_error(&[&input, "401", "credentials were rejected"]);
    assert!(
        !wrong.stderr.contains("not-the-password"),
        "{}",
        wrong.stderr
    );

    let unknown_user = palisade(
        &[
            "inspect",
            &input,
            "--username",
            "mallory",
            "--password-stdin",
        ],
        Some(&format!("{PASSWORD}\n")),
        &[],
    );
    unknown_user.expect_error(&["credentials were rejected"]);

    assert_no_password(&[&anonymous, &good, &wrong, &unknown_user], PASSWORD);
}

#[test]
fn basic_auth_from_docker_config() {
    if !tools_available(
        "basic_auth_docker_config",
        &[REAL_TOOLS[0], REAL_TOOLS[1], "perl"],
    ) {
        return;
    }
    let registry = Registry::start(Auth::Htpasswd(vec![(USER.into(), PASSWORD.into())]));
    let creds = format!("{USER}:{PASSWORD}");
    let digest = push(&registry, &demo_spec(), "team/app:v1", Some(&creds));
    let input = registry.docker_ref("team/app:v1");
    let dir = tempfile::tempdir().unwrap();

    // --docker-config FILE with an `auth` (base64 user:password) entry.
    let file = dir.path().join("creds.json");
    std::fs::write(
        &file,
        serde_json::to_vec(&json!({"auths": {
            "other.example:5000": {"auth": base64_std(b"bob:nope")},
            registry.host.clone(): {"auth": base64_std(creds.as_bytes())},
        }}))
        .unwrap(),
    )
    .unwrap();
    let file_arg = file.to_str().unwrap();
    let by_flag = palisade(
        &[
            "inspect",
            &input,
            "--docker-config",
            file_arg,
            "--format",
            "json",
        ],
        None,
        &[],
    );
    assert_eq!(by_flag.json()["manifest_digest"], digest);

    // $DOCKER_CONFIG/config.json with username/password under an http:// key.
    let docker_dir = dir.path().join("docker");
    std::fs::create_dir(&docker_dir).unwrap();
    std::fs::write(
        docker_dir.join("config.json"),
        serde_json::to_vec(&json!({"auths": {
            format!("http://{}", registry.host): {"username": USER, "password": PASSWORD},
        }}))
        .unwrap(),
    )
    .unwrap();
    let by_env = palisade(
        &["inspect", &input, "--format", "json"],
        None,
        &[("DOCKER_CONFIG", docker_dir.to_str().unwrap())],
    );
    assert_eq!(by_env.json()["manifest_digest"], digest);

    // A wrong password in the config file.
    let bad = dir.path().join("bad.json");
    std::fs::write(
        &bad,
        serde_json::to_vec(&json!({"auths": {
            registry.host.clone(): {"auth": base64_std(format!("{USER}:wrong-one").as_bytes())},
        }}))
        .unwrap(),
    )
    .unwrap();
    let rejected = palisade(
        &["inspect", &input, "--docker-config", bad.to_str().unwrap()],
        None,
        &[],
    );
    rejected.expect_error(&["401", "credentials were rejected"]);
    assert!(!rejected.stderr.contains("wrong-one"));

    // A broken config file is an error, not a silent anonymous pull.
    let broken = dir.path().join("broken.json");
    std::fs::write(&broken, "{not json").unwrap();
    palisade(
        &[
            "inspect",
            &input,
            "--docker-config",
            broken.to_str().unwrap(),
        ],
        None,
        &[],
    )
    .expect_error(&["invalid Docker config"]);

    assert_no_password(&[&by_flag, &by_env, &rejected], PASSWORD);
}

// ---------------------------------------------------------------------------
// Real registry, token auth

#[test]
fn token_auth_against_real_registry() {
    if !tools_available("token_auth", &[REAL_TOOLS[0], REAL_TOOLS[1], "openssl"]) {
        return;
    }
    let tokens = TokenServer::start(USER, PASSWORD);
    let registry = Registry::start(tokens.auth());
    let creds = format!("{USER}:{PASSWORD}");
    let digest = push(&registry, &demo_spec(), "team/app:v1", Some(&creds));
    let input = registry.docker_ref("team/app:v1");
    let before = tokens.server.requests().len();

    let good = palisade(
        &[
            "inspect",
            &input,
            "--username",
            USER,
            "--password-stdin",
            "--format",
            "json",
        ],
        Some(PASSWORD),
        &[],
    );
    assert_eq!(good.json()["manifest_digest"], digest);
    let ours: Vec<_> = tokens.server.requests()[before..].to_vec();
    assert_eq!(ours.len(), 1, "one token request expected: {ours:?}");
    let q = ours[0].query();
    assert!(
        q.contains(&("scope".into(), "repository:team/app:pull".into())),
        "{q:?}"
    );
    assert!(
        q.contains(&("service".into(), tokens.service.clone())),
        "{q:?}"
    );
    assert_eq!(
        ours[0].header("authorization"),
        Some(format!("Basic {}", base64_std(creds.as_bytes()))).as_deref()
    );
    assert!(
        ours[0]
            .header("user-agent")
            .is_some_and(|u| u.starts_with("palisade/"))
    );

    let anonymous = palisade(&["inspect", &input], None, &[]);
    anonymous.expect_error(&[&input, "token request", "401", "authentication required"]);

    let wrong = palisade(
        &["inspect", &input, "--username", USER, "--password-stdin"],
        Some("bad-password"),
        &[],
    );
    wrong.expect_error(&["token request", "401", "credentials were rejected"]);

    assert_no_password(&[&good, &anonymous, &wrong], PASSWORD);
}

// ---------------------------------------------------------------------------
// Fake servers

fn fake_image() -> ImageFiles {
    ImageFiles::new(&demo_spec().build())
}

fn fake_ref(server: &FakeServer) -> String {
    format!("docker://{}/team/app:v1", server.host())
}

fn inspect_fake(server: &FakeServer, extra: &[&str]) -> support::registry::Run {
    let input = fake_ref(server);
    let mut args = vec!["inspect", input.as_str(), "--format", "json"];
    args.extend_from_slice(extra);
    palisade(&args, None, &[])
}

fn count_path(server: &FakeServer, pred: impl Fn(&str) -> bool) -> usize {
    server.requests().iter().filter(|r| pred(r.path())).count()
}

#[test]
fn a_registry_that_never_answers_times_out() {
    let server = FakeServer::start(|_| Reply::Hang);
    let run = inspect_fake(&server, &["--timeout", "2", "--retries", "0"]);
    run.expect_error(&[&server.host(), "timed out"]);
    assert!(run.elapsed < Duration::from_secs(20), "{:?}", run.elapsed);
}

#[test]
fn a_blob_that_never_arrives_times_out() {
    let image = fake_image();
    let layer = image.layer_digests[1].clone();
    let server = FakeServer::start(move |req| {
        if req.path().ends_with(&layer) {
            Reply::Hang
        } else {
            image.serve(req)
        }
    });
    let run = inspect_fake(&server, &["--timeout", "2", "--retries", "0"]);
    run.expect_error(&["timed out"]);
    assert!(run.elapsed < Duration::from_secs(20), "{:?}", run.elapsed);
}

#[test]
fn server_errors_are_retried_then_succeed() {
    let image = fake_image();
    let expected = image.clone();
    let manifest_calls = Arc::new(AtomicUsize::new(0));
    let blob_calls = Arc::new(AtomicUsize::new(0));
    let (m, b) = (manifest_calls.clone(), blob_calls.clone());
    let server = FakeServer::start(move |req| {
        if req.path().contains("/manifests/") && m.fetch_add(1, Ordering::SeqCst) < 2 {
            return Reply::json(
                503,
                &json!({"errors":[{"code":"UNAVAILABLE","message":"busy"}]}),
            );
        }
        if req.path().contains("/blobs/") && b.fetch_add(1, Ordering::SeqCst) == 0 {
            return Reply::new(502, "bad gateway");
        }
        image.serve(req)
    });
    let report = inspect_fake(&server, &["--retries", "3"]).json();
    assert_eq!(report["manifest_digest"], expected.manifest_digest);
    assert_eq!(report["config_digest"], expected.config_digest);
    assert_eq!(strings(&layer_field(&report, "diff_id")), expected.diff_ids);
    assert_eq!(count_path(&server, |p| p.contains("/manifests/")), 3);
    // config + 2 layers + the one 502
    assert_eq!(count_path(&server, |p| p.contains("/blobs/")), 4);
}

#[test]
fn server_errors_beyond_the_retry_budget_fail() {
    let image = fake_image();
    let server = FakeServer::start(move |req| {
        if req.path().contains("/manifests/") {
            Reply::json(
                503,
                &json!({"errors":[{"code":"UNAVAILABLE","message":"down for maintenance"}]}),
            )
        } else {
            image.serve(req)
        }
    });
    let run = inspect_fake(&server, &["--retries", "1"]);
    run.expect_error(&["503", "after 2 attempts", "down for maintenance"]);
    assert_eq!(count_path(&server, |p| p.contains("/manifests/")), 2);
}

#[test]
fn rate_limit_honours_retry_after() {
    let image = fake_image();
    let expected = image.manifest_digest.clone();
    let calls = Arc::new(AtomicUsize::new(0));
    let c = calls.clone();
    let server = FakeServer::start(move |req| {
        if req.path().contains("/manifests/") && c.fetch_add(1, Ordering::SeqCst) == 0 {
            return Reply::json(
                429,
                &json!({"errors":[{"code":"TOOMANYREQUESTS","message":"slow down"}]}),
            )
            .header("Retry-After", "2");
        }
        image.serve(req)
    });
    let run = inspect_fake(&server, &["--retries", "2"]);
    assert_eq!(run.json()["manifest_digest"], expected);
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    // The default first backoff is 0.5 s: waiting 2 s means Retry-After was used.
    assert!(
        run.elapsed >= Duration::from_millis(1900),
        "{:?}",
        run.elapsed
    );
}

#[test]
fn a_layer_whose_bytes_do_not_match_its_digest_is_rejected() {
    // Uncompressed, so a changed content byte still makes a valid tar and
    // only the digest check can notice.
    let spec = ImageSpec::new(vec![Layer::new().file("app/data.txt", &[b'A'; 600])])
        .compression(Compression::None);
    let image = ImageFiles::new(&spec.build());
    let layer = image.layer_digests[0].clone();
    let mut tampered = image.blobs[&layer].clone();
    let pos = tampered.iter().position(|&b| b == b'A').unwrap() + 100;
    tampered[pos] = b'B';
    let server = FakeServer::start(move |req| {
        if req.path().ends_with(&layer) {
            Reply::new(200, tampered.clone())
        } else {
            image.serve(req)
        }
    });
    inspect_fake(&server, &[]).expect_error(&["digest mismatch"]);
}

#[test]
fn a_config_whose_bytes_do_not_match_its_digest_is_rejected() {
    let image = fake_image();
    let config = image.config_digest.clone();
    let mut tampered = image.blobs[&config].clone();
    let pos = tampered.windows(4).position(|w| w == b"demo").unwrap();
    tampered[pos..pos + 4].copy_from_slice(b"evil");
    let server = FakeServer::start(move |req| {
        if req.path().ends_with(&config) {
            Reply::new(200, tampered.clone())
        } else {
            image.serve(req)
        }
    });
    inspect_fake(&server, &[]).expect_error(&["config", "digest mismatch"]);
}

#[test]
fn a_manifest_that_does_not_match_docker_content_digest_is_rejected() {
    let image = fake_image();
    let other = ImageFiles::new(&ImageSpec::new(vec![Layer::new().file("x", b"other")]).build());
    let served = image.clone();
    let server = FakeServer::start(move |req| {
        if req.path().contains("/manifests/") {
            // The bytes of one manifest, the digest of another.
            Reply::new(200, served.manifest.clone())
                .header("Content-Type", "application/vnd.oci.image.manifest.v1+json")
                .header("Docker-Content-Digest", &other.manifest_digest)
        } else {
            served.serve(req)
        }
    });
    inspect_fake(&server, &[]).expect_error(&["Docker-Content-Digest", "digest mismatch"]);

    // Asked by digest, the content must hash to that digest whatever the headers say.
    let wrong_digest = format!("sha256:{}", sha256_hex(b"something else"));
    let server = FakeServer::start(move |req| {
        if req.path().contains("/manifests/") {
            Reply::new(200, image.manifest.clone())
                .header("Content-Type", "application/vnd.oci.image.manifest.v1+json")
        } else {
            image.serve(req)
        }
    });
    let input = format!("docker://{}/team/app@{wrong_digest}", server.host());
    palisade(&["inspect", &input], None, &[]).expect_error(&["digest mismatch", &wrong_digest]);
}

#[test]
fn garbage_answers_are_clean_errors() {
    // A manifest that is not JSON.
    let server = FakeServer::start(|req| {
        if req.path() == "/v2/" {
            Reply::json(200, &json!({}))
        } else {
            Reply::new(200, "<html>definitely not a manifest</html>")
                .header("Content-Type", "text/html")
        }
    });
    inspect_fake(&server, &[]).expect_error(&[&fake_ref(&server)]);

    // 401 without any challenge.
    let server = FakeServer::start(|_| Reply::new(401, "go away"));
    inspect_fake(&server, &[]).expect_error(&["401", "WWW-Authenticate"]);

    // A bearer realm whose token endpoint answers HTML.
    let server = FakeServer::start(|req| {
        if req.path() == "/token" {
            return Reply::new(200, "<html>login page</html>").header("Content-Type", "text/html");
        }
        let host = req.header("host").unwrap_or_default().to_string();
        Reply::new(401, "").header(
            "WWW-Authenticate",
            &format!("Bearer realm=\"http://{host}/token\",service=\"x\""),
        )
    });
    inspect_fake(&server, &[]).expect_error(&["token endpoint", "did not answer with JSON"]);

    // An answer that is not HTTP at all.
    let server = FakeServer::start(|_| Reply::Raw(b"\x00\x01garbage garbage\r\n\r\n".to_vec()));
    let run = inspect_fake(&server, &["--retries", "0", "--timeout", "3"]);
    run.expect_error(&[&server.host(), "cannot reach"]);
}

#[test]
fn bearer_flow_sends_scope_and_token() {
    const TOKEN: &str = "fake-token-8d1f";
    let image = fake_image();
    let expected = image.manifest_digest.clone();
    let server = FakeServer::start(move |req| {
        let host = req.header("host").unwrap_or_default().to_string();
        if req.path() == "/token" {
            return Reply::json(200, &json!({"access_token": TOKEN, "expires_in": 300}));
        }
        if req.header("authorization") != Some(&format!("Bearer {TOKEN}")) {
            return Reply::json(
                401,
                &json!({"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}),
            )
            .header(
                "WWW-Authenticate",
                &format!("Bearer realm=\"http://{host}/token\",service=\"fake-registry\""),
            );
        }
        image.serve(req)
    });
    let report = inspect_fake(&server, &[]).json();
    assert_eq!(report["manifest_digest"], expected);

    let requests = server.requests();
    let token_requests: Vec<_> = requests.iter().filter(|r| r.path() == "/token").collect();
    assert_eq!(token_requests.len(), 1, "{requests:?}");
    let q = token_requests[0].query();
    assert!(
        q.contains(&("scope".into(), "repository:team/app:pull".into())),
        "{q:?}"
    );
    assert!(
        q.contains(&("service".into(), "fake-registry".into())),
        "{q:?}"
    );
    // Anonymous: no credentials sent to the token endpoint.
    assert_eq!(token_requests[0].header("authorization"), None);
    // Every manifest and blob request carried the token.
    let api: Vec<_> = requests
        .iter()
        .filter(|r| r.path().contains("/manifests/") || r.path().contains("/blobs/"))
        .collect();
    assert_eq!(api.len(), 4, "{requests:?}"); // manifest, config, 2 layers
    for r in api {
        assert_eq!(
            r.header("authorization"),
            Some(format!("Bearer {TOKEN}").as_str()),
            "{r:?}"
        );
    }
}

#[test]
fn blob_redirects_to_another_host_do_not_carry_credentials() {
    let image = fake_image();
    let expected = image.manifest_digest.clone();
    let storage_image = image.clone();
    let storage = FakeServer::start(move |req| {
        let digest = req.path().trim_start_matches("/storage/");
        match storage_image.blobs.get(digest) {
            Some(b) => Reply::new(200, b.clone()),
            None => Reply::new(404, "no such object"),
        }
    });
    let storage_host = storage.host();
    let creds = format!(
        "Basic {}",
        base64_std(format!("{USER}:{PASSWORD}").as_bytes())
    );
    let expected_auth = creds.clone();
    let registry = FakeServer::start(move |req| {
        if req.header("authorization") != Some(expected_auth.as_str()) {
            return Reply::new(401, "").header("WWW-Authenticate", "Basic realm=\"fake\"");
        }
        if let Some(d) = req.path().strip_prefix("/v2/team/app/blobs/") {
            return Reply::new(307, "")
                .header("Location", &format!("http://{storage_host}/storage/{d}"));
        }
        image.serve(req)
    });
    let input = fake_ref(&registry);
    let run = palisade(
        &[
            "inspect",
            &input,
            "--username",
            USER,
            "--password-stdin",
            "--format",
            "json",
        ],
        Some(PASSWORD),
        &[],
    );
    assert_eq!(run.json()["manifest_digest"], expected);
    let fetched = storage.requests();
    assert_eq!(fetched.len(), 3, "{fetched:?}"); // config + 2 layers
    for r in &fetched {
        assert_eq!(r.header("authorization"), None, "credentials leaked: {r:?}");
    }
}

// ---------------------------------------------------------------------------
// Plain HTTP to a host not named as loopback

/// A name for this machine that is not `localhost` nor an IP literal and
/// resolves to an address we can listen on, if there is one.
fn non_loopback_name() -> Option<(String, std::net::IpAddr)> {
    use std::net::ToSocketAddrs;
    let name = std::fs::read_to_string("/proc/sys/kernel/hostname").ok()?;
    let name = name.trim().to_string();
    if name.is_empty() || name == "localhost" || name.parse::<std::net::IpAddr>().is_ok() {
        return None;
    }
    let addr = (name.as_str(), 0)
        .to_socket_addrs()
        .ok()?
        .find(|a| a.is_ipv4())?;
    std::net::TcpListener::bind((addr.ip(), 0)).ok()?;
    Some((name, addr.ip()))
}

#[test]
fn plain_http_to_a_non_loopback_name_needs_insecure() {
    let Some((name, ip)) = non_loopback_name() else {
        eprintln!(
            "SKIPPED plain_http_to_a_non_loopback_name_needs_insecure: this machine's host name \
             does not resolve to a local address (no DNS offline)"
        );
        return;
    };
    let image = fake_image();
    let expected = image.manifest_digest.clone();
    let server = FakeServer::start_on(ip, move |req| image.serve(req));
    let input = format!("docker://{name}:{}/team/app:v1", server.addr.port());

    let refused = palisade(&["inspect", &input, "--retries", "0"], None, &[]);
    refused.expect_error(&[&name, "--insecure"]);
    assert!(
        server.requests().is_empty(),
        "palisade spoke plain HTTP without --insecure: {:?}",
        server.requests()
    );
    assert!(server.non_http_connections() >= 1, "no TLS attempt seen");

    let allowed = palisade(
        &["inspect", &input, "--insecure", "--format", "json"],
        None,
        &[],
    );
    assert_eq!(allowed.json()["manifest_digest"], expected);
}

#[test]
fn credentials_are_not_sent_to_a_plain_http_token_realm_off_loopback() {
    let Some((name, ip)) = non_loopback_name() else {
        eprintln!(
            "SKIPPED credentials_are_not_sent_to_a_plain_http_token_realm_off_loopback: this \
             machine's host name does not resolve to a local address"
        );
        return;
    };
    let tokens = FakeServer::start_on(ip, |_req| Reply::json(200, &json!({"token": "t"})));
    let realm = format!("http://{name}:{}/token", tokens.addr.port());
    let server = FakeServer::start(move |_req| {
        Reply::json(401, &json!({"errors":[{"code":"UNAUTHORIZED"}]})).header(
            "WWW-Authenticate",
            &format!("Bearer realm=\"{realm}\",service=\"x\""),
        )
    });
    let input = fake_ref(&server);
    let run = palisade(
        &[
            "inspect",
            &input,
            "--username",
            USER,
            "--password-stdin",
            "--retries",
            "0",
        ],
        Some(PASSWORD),
        &[],
    );
    run.expect_error(&["plain HTTP", "--insecure"]);
    assert!(
        tokens.requests().is_empty(),
        "credentials went to {:?}",
        tokens.requests()
    );
    assert_no_password(&[&run], PASSWORD);
}

#[test]
fn a_named_docker_config_that_does_not_exist_is_an_error() {
    let server = FakeServer::start(|_req| Reply::json(200, &json!({})));
    let input = fake_ref(&server);
    let run = palisade(
        &[
            "inspect",
            &input,
            "--docker-config",
            "/nonexistent/config.json",
        ],
        None,
        &[],
    );
    run.expect_error(&["/nonexistent/config.json", "no such file"]);
}
