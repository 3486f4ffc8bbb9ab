//! End-to-end tests of keygen / sign / verify / attest / verify-attestation
//! against the real CNCF distribution registry (`docker-registry`) on
//! 127.0.0.1, images pushed with `skopeo`. Tampering is done with the
//! library (palisade-sign, palisade-image) writing what an attacker would;
//! every verdict comes from the `palisade` binary and its exit code.
//! Independent checks of palisade's output: `openssl dgst -verify` for
//! simple-signing signatures, Python `cryptography` for DSSE (PAE) and
//! Python `hashlib.scrypt` + PyNaCl decrypting palisade's private key.
//!
//! Tools: docker-registry, skopeo (PALISADE_SKIP_REGISTRY_TESTS=1 skips);
//! openssl and /opt/palisade-venv/bin/python with `cryptography` and
//! `pynacl` (PALISADE_SKIP_PEER_TESTS=1 skips those checks).

mod support {
    pub mod registry;
}

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use palisade_image::{Digest, RegistryOptions, RegistryRef};
use palisade_sign::manifest::{Descriptor, Index, Manifest};
use palisade_testsupport::{ImageSpec, Layer, write_oci};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::Command;
use support::registry::{Auth, REAL_TOOLS, Registry, Run, palisade, skopeo_copy, tools_available};

const PASSWORD: &str = "correct horse battery staple 7";
const PY: &str = "/opt/palisade-venv/bin/python";

fn spec(marker: &str) -> ImageSpec {
    ImageSpec::new(vec![
        Layer::new()
            .file("etc/os-release", b"ID=demo\n")
            .file("marker", marker.as_bytes()),
    ])
}

/// Pushes an image made of `marker` to `repo_tag`; returns its digest.
fn push(registry: &Registry, marker: &str, repo_tag: &str) -> String {
    let oci = tempfile::tempdir().unwrap();
    let digest = write_oci(oci.path(), &spec(marker), "v1");
    skopeo_copy(
        &format!("oci:{}:v1", oci.path().display()),
        &registry.docker_ref(repo_tag),
        None,
        false,
    );
    digest
}

fn env() -> Vec<(&'static str, &'static str)> {
    vec![("PALISADE_PASSWORD", PASSWORD)]
}

/// `palisade keygen` into `dir/NAME.{key,pub}`.
fn keygen(dir: &Path, name: &str) -> (PathBuf, PathBuf) {
    let prefix = dir.join(name);
    let run = palisade(
        &["keygen", "--output-key-prefix", prefix.to_str().unwrap()],
        None,
        &env(),
    );
    assert_eq!(run.code, Some(0), "keygen: {}", run.stderr);
    (prefix.with_extension("key"), prefix.with_extension("pub"))
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

fn client(
    registry: &Registry,
    repo: &str,
) -> (
    palisade_image::source::registry::client::Client,
    RegistryRef,
) {
    let r = RegistryRef::parse(&format!("{}/{repo}", registry.host)).unwrap();
    let c = palisade_sign::connect(&r, &RegistryOptions::default(), true).unwrap();
    (c, r)
}

fn digest(s: &str) -> Digest {
    s.parse().unwrap()
}

fn assert_code(run: &Run, code: i32, needles: &[&str]) {
    assert_eq!(
        run.code,
        Some(code),
        "stdout: {}\nstderr: {}",
        run.stdout,
        run.stderr
    );
    let all = format!("{}{}", run.stdout, run.stderr);
    for n in needles {
        assert!(all.contains(n), "output should mention {n:?}:\n{all}");
    }
}

/// Rewrites the `.sig` (or `.att`) manifest of `digest` with `edit` applied
/// to its first layer and the blob `body` (uploaded) — an attacker with
/// push rights.
fn tamper(
    c: &palisade_image::source::registry::client::Client,
    tag: &str,
    body: Option<&[u8]>,
    edit: impl Fn(&mut Descriptor),
) {
    let raw = c.fetch_manifest(tag).unwrap().expect("tag exists");
    let mut m = Manifest::parse(tag, &raw.bytes).unwrap();
    if let Some(b) = body {
        let d = c.upload_blob(b).unwrap();
        m.layers[0].digest = d.to_string();
        m.layers[0].size = b.len() as u64;
    }
    edit(&mut m.layers[0]);
    c.put_manifest(tag, palisade_sign::manifest::OCI_MANIFEST, &m.to_bytes())
        .unwrap();
}

/// Copies the manifest at `from` to the tag `to`, bytes unchanged.
fn copy_tag(c: &palisade_image::source::registry::client::Client, from: &str, to: &str) {
    let raw = c.fetch_manifest(from).unwrap().expect("tag exists");
    c.put_manifest(to, palisade_sign::manifest::OCI_MANIFEST, &raw.bytes)
        .unwrap();
}

fn peers_available(test: &str) -> bool {
    let ok = Path::new(PY).is_file()
        && Command::new(PY)
            .args(["-c", "import cryptography, nacl"])
            .status()
            .is_ok_and(|s| s.success())
        && Command::new("openssl").arg("version").output().is_ok();
    if ok {
        return true;
    }
    let msg = format!(
        "{test}: needs openssl and {PY} with cryptography and pynacl (apt-get install openssl; {PY} -m pip install cryptography pynacl)"
    );
    if std::env::var("PALISADE_SKIP_PEER_TESTS").as_deref() == Ok("1") {
        eprintln!("SKIPPED {msg} (PALISADE_SKIP_PEER_TESTS=1)");
        false
    } else {
        panic!("{msg}; or set PALISADE_SKIP_PEER_TESTS=1");
    }
}

/// A running registry and a fresh cosign key pair (`keys/cosign.key`,
/// `keys/cosign.pub`), or None when the tools the test needs (and, with
/// `peers`, the independent verifiers) are missing.
struct Setup {
    registry: Registry,
    keys: tempfile::TempDir,
    key: PathBuf,
    public: PathBuf,
}

fn setup(test: &str, peers: bool) -> Option<Setup> {
    if !tools_available(test, REAL_TOOLS) || (peers && !peers_available(test)) {
        return None;
    }
    let registry = Registry::start(Auth::Anonymous);
    let keys = tempfile::tempdir().unwrap();
    let (key, public) = keygen(keys.path(), "cosign");
    Some(Setup {
        registry,
        keys,
        key,
        public,
    })
}

#[test]
fn sign_verify_and_every_tampering_case() {
    let Some(Setup {
        registry,
        keys,
        key,
        public,
    }) = setup("sign_verify", false)
    else {
        return;
    };
    let (_other_key, other_public) = keygen(keys.path(), "other");
    let a = push(&registry, "a", "team/app:v1");
    let b = push(&registry, "b", "team/app:v2");
    let c_digest = push(&registry, "c", "team/app:v3");
    let img = |t: &str| registry.docker_ref(&format!("team/app:{t}"));
    let (c, _) = client(&registry, "team/app");

    // Unsigned: exit 10.
    let run = palisade(&["verify", &img("v1"), "--key", p(&public)], None, &[]);
    assert_code(&run, 10, &["not signed", &a]);

    // Sign with an annotation, verify: exit 0, names the layer and key.
    let run = palisade(
        &[
            "sign",
            &img("v1"),
            "--key",
            p(&key),
            "-a",
            "env=prod",
            "--format",
            "json",
        ],
        None,
        &env(),
    );
    let signed = run.json();
    assert_eq!(signed["digest"], a);
    assert_eq!(signed["tag"], format!("sha256-{}.sig", &a[7..]));
    let run = palisade(
        &[
            "verify",
            &img("v1"),
            "--key",
            p(&public),
            "--format",
            "json",
        ],
        None,
        &[],
    );
    let v = run.json();
    assert_eq!(v["status"], "verified");
    let sig = &v["verified"][0];
    assert_eq!(sig["source"]["layout"], "tag");
    assert_eq!(sig["source"]["layer_digest"], signed["layer_digest"]);
    assert_eq!(
        sig["docker_reference"],
        format!("{}/team/app", registry.host)
    );
    assert_eq!(sig["annotations"]["env"], "prod");
    let fp = sig["key_fingerprint"].as_str().unwrap().to_string();
    assert!(fp.starts_with("sha256:"));
    // By digest too, and with the annotation required.
    let by_digest = registry.docker_ref(&format!("team/app@{a}"));
    let run = palisade(
        &["verify", &by_digest, "--key", p(&public), "-a", "env=prod"],
        None,
        &[],
    );
    assert_code(&run, 0, &["Verified", &fp]);

    // Wrong annotation, wrong key: invalid (11) with the reason.
    let run = palisade(
        &["verify", &img("v1"), "--key", p(&public), "-a", "env=dev"],
        None,
        &[],
    );
    assert_code(&run, 11, &["annotation env=\"prod\", wanted \"dev\""]);
    let run = palisade(
        &["verify", &img("v1"), "--key", p(&other_public)],
        None,
        &[],
    );
    assert_code(&run, 11, &["does not match"]);
    // Both keys trusted: the right one verifies.
    let run = palisade(
        &[
            "verify",
            &img("v1"),
            "--key",
            p(&other_public),
            "--key",
            p(&public),
        ],
        None,
        &[],
    );
    assert_code(&run, 0, &[&fp]);

    // The docker-reference must name the repository asked for: the same
    // image copied to another repository keeps its digest but not its name.
    assert_eq!(push(&registry, "a", "evil/copy:v1"), a);
    let (evil, _) = client(&registry, "evil/copy");
    let sig_tag = format!("sha256-{}.sig", &a[7..]);
    let raw = c.fetch_manifest(&sig_tag).unwrap().unwrap();
    let m = Manifest::parse("sig", &raw.bytes).unwrap();
    let payload = c.fetch_blob(&digest(&m.layers[0].digest), 1 << 20).unwrap();
    evil.upload_blob(&payload).unwrap();
    evil.upload_blob(&c.fetch_blob(&digest(&m.config.digest), 1 << 20).unwrap())
        .unwrap();
    evil.put_manifest(&sig_tag, palisade_sign::manifest::OCI_MANIFEST, &raw.bytes)
        .unwrap();
    let run = palisade(
        &[
            "verify",
            &registry.docker_ref("evil/copy:v1"),
            "--key",
            p(&public),
        ],
        None,
        &[],
    );
    assert_code(&run, 11, &["docker-reference", "does not name"]);

    // Signature moved to another digest: B's .sig tag holds A's signature.
    copy_tag(&c, &sig_tag, &format!("sha256-{}.sig", &b[7..]));
    let run = palisade(
        &[
            "verify",
            &img("v2"),
            "--key",
            p(&public),
            "--format",
            "json",
        ],
        None,
        &[],
    );
    assert_code(&run, 11, &["signature is for image", &a, "signature moved"]);
    let out: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(out["status"], "invalid");

    // Payload edited (C gets A's signature with the digest changed to C's).
    let c_tag = format!("sha256-{}.sig", &c_digest[7..]);
    copy_tag(&c, &sig_tag, &c_tag);
    let edited = String::from_utf8(payload.clone())
        .unwrap()
        .replace(&a, &c_digest);
    tamper(&c, &c_tag, Some(edited.as_bytes()), |_| {});
    let run = palisade(&["verify", &img("v3"), "--key", p(&public)], None, &[]);
    assert_code(&run, 11, &["does not match the payload"]);

    // Signature bytes flipped.
    copy_tag(&c, &sig_tag, &c_tag);
    tamper(&c, &c_tag, None, |l| {
        let s = l
            .annotations
            .get_mut("dev.cosignproject.cosign/signature")
            .unwrap();
        let mut der = STANDARD.decode(&*s).unwrap();
        let n = der.len();
        der[n - 3] ^= 0x01;
        *s = STANDARD.encode(der);
    });
    let run = palisade(&["verify", &img("v3"), "--key", p(&public)], None, &[]);
    assert_code(&run, 11, &["signature"]);
    assert!(!run.stdout.contains("Verified"));

    // An index where the signature manifest should be: invalid, not a crash.
    let raw_a = c.fetch_manifest(&a).unwrap().unwrap();
    let mut entry = Descriptor::new(palisade_sign::manifest::OCI_MANIFEST, &raw_a.bytes);
    entry.digest = a.clone();
    let index = Index {
        schema_version: 2,
        media_type: Some(palisade_sign::manifest::OCI_INDEX.into()),
        manifests: vec![entry],
    };
    c.put_manifest(
        &c_tag,
        palisade_sign::manifest::OCI_INDEX,
        &index.to_bytes(),
    )
    .unwrap();
    let run = palisade(&["verify", &img("v3"), "--key", p(&public)], None, &[]);
    assert_code(&run, 11, &["not an OCI image manifest"]);

    // Non-registry references are refused clearly.
    let run = palisade(
        &["verify", "oci:/nonexistent", "--key", p(&public)],
        None,
        &[],
    );
    run.expect_error(&["signatures are stored in a registry"]);
}

#[test]
fn attest_and_verify_attestation() {
    let Some(Setup {
        registry,
        keys,
        key,
        public,
    }) = setup("attest", false)
    else {
        return;
    };
    let a = push(&registry, "a", "team/app:v1");
    let b = push(&registry, "b", "team/app:v2");
    let img = |t: &str| registry.docker_ref(&format!("team/app:{t}"));

    // No attestation yet: 10.
    let run = palisade(
        &["verify-attestation", &img("v1"), "--key", p(&public)],
        None,
        &[],
    );
    assert_code(&run, 10, &["not signed", "attestations"]);

    // An OpenVEX document from a file, and palisade's own CycloneDX SBOM.
    let vex = keys.path().join("vex.json");
    std::fs::write(
        &vex,
        r#"{"@context":"https://openvex.dev/ns/v0.2.0","@id":"https://example.com/vex-1","author":"test","timestamp":"2026-01-01T00:00:00Z","version":1,"statements":[]}"#,
    )
    .unwrap();
    let run = palisade(
        &[
            "attest",
            &img("v1"),
            "--key",
            p(&key),
            "--type",
            "openvex",
            "--predicate",
            p(&vex),
        ],
        None,
        &env(),
    );
    assert_code(&run, 0, &["Attested", "https://openvex.dev/ns"]);
    let run = palisade(
        &[
            "attest",
            &img("v1"),
            "--key",
            p(&key),
            "--type",
            "cyclonedx",
            "-q",
            "--format",
            "json",
        ],
        None,
        &env(),
    );
    let att = run.json();
    assert_eq!(att["attestations_in_tag"], 2);

    // Verify each type; the predicate comes back.
    let run = palisade(
        &[
            "verify-attestation",
            &img("v1"),
            "--key",
            p(&public),
            "--type",
            "cyclonedx",
            "--format",
            "json",
        ],
        None,
        &[],
    );
    let v = run.json();
    assert_eq!(v["attestations"].as_array().unwrap().len(), 1);
    let bom = &v["attestations"][0]["predicate"];
    assert_eq!(bom["bomFormat"], "CycloneDX");
    assert_eq!(
        v["attestations"][0]["predicate_type"],
        "https://cyclonedx.org/bom"
    );
    let run = palisade(
        &[
            "verify-attestation",
            &img("v1"),
            "--key",
            p(&public),
            "--type",
            "openvex",
        ],
        None,
        &[],
    );
    assert_code(
        &run,
        0,
        &["https://openvex.dev/ns", "https://example.com/vex-1"],
    );
    // A type never attested: not found (10), naming what was found.
    let run = palisade(
        &[
            "verify-attestation",
            &img("v1"),
            "--key",
            p(&public),
            "--type",
            "spdx",
        ],
        None,
        &[],
    );
    assert_code(&run, 10, &["https://spdx.dev/Document", "found only"]);

    // The vulnerability predicate, from the demo database.
    let db = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../demo/vuln-demo.db");
    let run = palisade(
        &[
            "attest",
            &img("v1"),
            "--key",
            p(&key),
            "--type",
            "vuln",
            "-q",
            "--db",
            p(&db),
        ],
        None,
        &env(),
    );
    assert_code(
        &run,
        0,
        &["https://cosign.sigstore.dev/attestation/vuln/v1"],
    );
    let run = palisade(
        &[
            "verify-attestation",
            &img("v1"),
            "--key",
            p(&public),
            "--type",
            "vuln",
            "--format",
            "json",
        ],
        None,
        &[],
    );
    let v = run.json();
    let pred = &v["attestations"][0]["predicate"];
    assert_eq!(
        pred["scanner"]["uri"],
        "https://github.com/palisade-sec/palisade"
    );
    assert!(pred["metadata"]["scanStartedOn"].is_string());
    assert!(pred["scanner"]["result"]["findings"].is_array());
    // Same shape as cosign's own vuln predicate fixture.
    let fixture: Value = serde_json::from_slice(
        &std::fs::read(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../sign/tests/data/cosign-vuln-predicate.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let keys_of = |v: &Value| -> Vec<String> {
        let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    for path in ["", "/invocation", "/scanner", "/scanner/db", "/metadata"] {
        assert_eq!(
            keys_of(pred.pointer(path).unwrap()),
            keys_of(fixture.pointer(path).unwrap()),
            "vuln predicate shape at {path:?}"
        );
    }

    // Attestation subject for another image: B's .att holds A's statements.
    let (c, _) = client(&registry, "team/app");
    copy_tag(
        &c,
        &format!("sha256-{}.att", &a[7..]),
        &format!("sha256-{}.att", &b[7..]),
    );
    let run = palisade(
        &["verify-attestation", &img("v2"), "--key", p(&public)],
        None,
        &[],
    );
    assert_code(
        &run,
        11,
        &["subject is", &a, "attestation of another image"],
    );
}

#[test]
fn concurrent_signers_all_survive() {
    if !tools_available("concurrent", REAL_TOOLS) {
        return;
    }
    let registry = Registry::start(Auth::Anonymous);
    let keys = tempfile::tempdir().unwrap();
    let a = push(&registry, "a", "team/app:v1");
    let img = registry.docker_ref("team/app:v1");
    const SIGNERS: usize = 6;
    let pairs: Vec<(PathBuf, PathBuf)> = (0..SIGNERS)
        .map(|i| keygen(keys.path(), &format!("k{i}")))
        .collect();
    // Six processes sign at once, each with its own key.
    let children: Vec<_> = pairs
        .iter()
        .map(|(key, _)| {
            Command::new(env!("CARGO_BIN_EXE_palisade"))
                .args(["sign", &img, "--key", p(key), "--format", "json"])
                .env("PALISADE_PASSWORD", PASSWORD)
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut writes = 0;
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        writes += v["writes"].as_u64().unwrap();
    }
    eprintln!("{SIGNERS} concurrent signers needed {writes} writes in total");
    for (_, public) in &pairs {
        let run = palisade(&["verify", &img, "--key", p(public)], None, &[]);
        assert_code(&run, 0, &["Verified"]);
    }
    let (c, _) = client(&registry, "team/app");
    let raw = c
        .fetch_manifest(&format!("sha256-{}.sig", &a[7..]))
        .unwrap()
        .unwrap();
    assert_eq!(
        Manifest::parse("sig", &raw.bytes).unwrap().layers.len(),
        SIGNERS
    );
}

#[test]
fn referrers_bundles_key_based_and_keyless() {
    let Some(Setup {
        registry,
        keys: _keys, // holds the key files until the test ends
        key,
        public,
    }) = setup("referrers", false)
    else {
        return;
    };
    let a = push(&registry, "a", "team/app:v1");
    let img = registry.docker_ref("team/app:v1");
    let (c, _) = client(&registry, "team/app");
    let signing =
        palisade_sign::SigningKey::from_pem(&std::fs::read(&key).unwrap(), PASSWORD.as_bytes())
            .unwrap();
    // A key-based bundle v0.3 with a messageSignature over the manifest,
    // attached with the referrers tag schema (this registry has no
    // referrers API).
    let manifest = c.fetch_manifest(&a).unwrap().unwrap();
    let bundle = json!({
        "mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
        "verificationMaterial": {"publicKey": {"hint": "test"}, "tlogEntries": []},
        "messageSignature": {
            "messageDigest": {"algorithm": "SHA2_256", "digest": STANDARD.encode(hex_decode(&a[7..]))},
            "signature": STANDARD.encode(signing.sign(&manifest.bytes)),
        }
    });
    attach_bundle(&c, &a, &manifest, &serde_json::to_vec(&bundle).unwrap());
    let run = palisade(
        &["verify", &img, "--key", p(&public), "--format", "json"],
        None,
        &[],
    );
    let v = run.json();
    assert_eq!(v["verified"][0]["source"]["layout"], "referrer");

    // cosign v3's own shape: a DSSE in-toto statement of type
    // https://sigstore.dev/cosign/sign/v1 whose subject carries the -a
    // annotations, in a bundle on a second image.
    let b = push(&registry, "b", "team/app:v2");
    let img_b = registry.docker_ref("team/app:v2");
    let statement = json!({
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{"digest": {"sha256": &b[7..]}, "annotations": {"env": "prod"}}],
        "predicateType": "https://sigstore.dev/cosign/sign/v1",
        "predicate": {}
    });
    let envelope = palisade_sign::dsse::Envelope::sign(
        "application/vnd.in-toto+json",
        &serde_json::to_vec(&statement).unwrap(),
        &signing,
    );
    let bundle = json!({
        "mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
        "verificationMaterial": {"publicKey": {"hint": "test"}, "tlogEntries": []},
        "dsseEnvelope": envelope,
    });
    let mb = c.fetch_manifest(&b).unwrap().unwrap();
    attach_bundle(&c, &b, &mb, &serde_json::to_vec(&bundle).unwrap());
    let run = palisade(
        &[
            "verify",
            &img_b,
            "--key",
            p(&public),
            "-a",
            "env=prod",
            "--format",
            "json",
        ],
        None,
        &[],
    );
    let v = run.json();
    assert_eq!(v["verified"][0]["source"]["layout"], "referrer");
    assert_eq!(v["verified"][0]["annotations"]["env"], "prod");
    let run = palisade(
        &["verify", &img_b, "--key", p(&public), "-a", "env=dev"],
        None,
        &[],
    );
    assert_code(&run, 11, &["annotation env"]);
    // Not an attestation: verify-attestation does not count it.
    let run = palisade(
        &["verify-attestation", &img_b, "--key", p(&public)],
        None,
        &[],
    );
    assert_code(&run, 10, &["not signed"]);

    // Keyless (Fulcio) bundles from sigstore-rs' and cosign's fixtures are
    // reported as out of scope, not verified.
    // (rs-bundle_v03.json is a cosign v3 image signature, the cosign one an attestation.)
    for (i, (fixture, command)) in [
        ("rs-bundle_v03.json", "verify"),
        ("cosign-oci-attestation.sigstore.json", "verify-attestation"),
    ]
    .iter()
    .enumerate()
    {
        let tag = format!("team/keyless:v{i}");
        let d = push(&registry, &format!("k{i}"), &tag);
        let (ck, _) = client(&registry, "team/keyless");
        let m = ck.fetch_manifest(&d).unwrap().unwrap();
        let keyless = std::fs::read(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../sign/tests/data")
                .join(fixture),
        )
        .unwrap();
        attach_bundle(&ck, &d, &m, &keyless);
        let run = palisade(
            &[command, &registry.docker_ref(&tag), "--key", p(&public)],
            None,
            &[],
        );
        assert_code(&run, 11, &["keyless", "out of scope"]);
    }
    // Asking for another predicate type than the keyless attestation's: not found.
    let run = palisade(
        &[
            "verify-attestation",
            &registry.docker_ref("team/keyless:v1"),
            "--key",
            p(&public),
            "--type",
            "vuln",
        ],
        None,
        &[],
    );
    assert_code(
        &run,
        10,
        &["found only https://cosign.sigstore.dev/attestation/v1"],
    );
}

fn hex_decode(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// Stores `bundle` as cosign v3 does: a manifest with the bundle layer and
/// `subject`, listed in the `sha256-<hex>` referrers tag index.
fn attach_bundle(
    c: &palisade_image::source::registry::client::Client,
    image_digest: &str,
    image: &palisade_image::source::registry::artifact::RawManifest,
    bundle: &[u8],
) {
    let empty = b"{}";
    c.upload_blob(empty).unwrap();
    c.upload_blob(bundle).unwrap();
    let mut subject = Descriptor::new(palisade_sign::manifest::OCI_MANIFEST, &image.bytes);
    subject.digest = image_digest.to_string();
    let m = Manifest {
        schema_version: 2,
        media_type: Some(palisade_sign::manifest::OCI_MANIFEST.into()),
        artifact_type: Some("application/vnd.dev.sigstore.bundle.v0.3+json".into()),
        config: Descriptor::new(palisade_sign::manifest::OCI_EMPTY, empty),
        layers: vec![Descriptor::new(
            "application/vnd.dev.sigstore.bundle.v0.3+json",
            bundle,
        )],
        subject: Some(subject),
        annotations: Default::default(),
    };
    let bytes = m.to_bytes();
    let d = c
        .put_manifest(
            &Digest::sha256_of(&bytes).to_string(),
            palisade_sign::manifest::OCI_MANIFEST,
            &bytes,
        )
        .unwrap();
    let mut entry = Descriptor::new(palisade_sign::manifest::OCI_MANIFEST, &bytes);
    entry.artifact_type = Some("application/vnd.dev.sigstore.bundle.v0.3+json".into());
    assert_eq!(entry.digest, d.to_string());
    let index = Index {
        schema_version: 2,
        media_type: Some(palisade_sign::manifest::OCI_INDEX.into()),
        manifests: vec![entry],
    };
    c.put_manifest(
        &format!("sha256-{}", &image_digest[7..]),
        palisade_sign::manifest::OCI_INDEX,
        &index.to_bytes(),
    )
    .unwrap();
}

#[test]
fn independent_verifiers_accept_palisade_output_and_no_secret_leaks() {
    let Some(Setup {
        registry,
        keys,
        key,
        public,
    }) = setup("independent", true)
    else {
        return;
    };
    let a = push(&registry, "a", "team/app:v1");
    let img = registry.docker_ref("team/app:v1");
    let mut runs = vec![
        palisade(
            &["sign", &img, "--key", p(&key), "-a", "team=x"],
            None,
            &env(),
        ),
        palisade(&["verify", &img, "--key", p(&public)], None, &[]),
    ];
    let vex = keys.path().join("p.json");
    std::fs::write(&vex, r#"{"k":"v"}"#).unwrap();
    runs.push(palisade(
        &[
            "attest",
            &img,
            "--key",
            p(&key),
            "--type",
            "custom",
            "--predicate",
            p(&vex),
        ],
        None,
        &env(),
    ));
    runs.push(palisade(
        &["verify-attestation", &img, "--key", p(&public)],
        None,
        &[],
    ));
    // Error paths print neither: a wrong password, an existing key file.
    runs.push(palisade(
        &["sign", &img, "--key", p(&key)],
        None,
        &[("PALISADE_PASSWORD", "wrong")],
    ));
    runs.push(palisade(
        &[
            "keygen",
            "--output-key-prefix",
            p(&keys.path().join("cosign")),
        ],
        None,
        &env(),
    ));
    assert_eq!(runs[4].code, Some(2));
    assert_eq!(runs[5].code, Some(2));
    let private = std::fs::read_to_string(&key).unwrap();
    let secrets: Vec<&str> = std::iter::once(PASSWORD)
        .chain(private.lines().filter(|l| !l.starts_with("-----")))
        .collect();
    for run in &runs {
        for s in &secrets {
            assert!(
                !run.stdout.contains(s) && !run.stderr.contains(s),
                "secret material in output: {}{}",
                run.stdout,
                run.stderr
            );
        }
    }
    // Mode 0600.
    use std::os::unix::fs::PermissionsExt as _;
    assert_eq!(
        std::fs::metadata(&key).unwrap().permissions().mode() & 0o777,
        0o600
    );

    let (c, _) = client(&registry, "team/app");
    let work = tempfile::tempdir().unwrap();
    // openssl verifies the simple-signing signature over the stored payload.
    let raw = c
        .fetch_manifest(&format!("sha256-{}.sig", &a[7..]))
        .unwrap()
        .unwrap();
    let m = Manifest::parse("sig", &raw.bytes).unwrap();
    let payload = c.fetch_blob(&digest(&m.layers[0].digest), 1 << 20).unwrap();
    let sig = STANDARD
        .decode(&m.layers[0].annotations["dev.cosignproject.cosign/signature"])
        .unwrap();
    std::fs::write(work.path().join("payload"), &payload).unwrap();
    std::fs::write(work.path().join("sig.der"), &sig).unwrap();
    let out = Command::new("openssl")
        .args(["dgst", "-sha256", "-verify", p(&public), "-signature"])
        .arg(work.path().join("sig.der"))
        .arg(work.path().join("payload"))
        .output()
        .unwrap();
    assert!(
        out.status.success() && String::from_utf8_lossy(&out.stdout).contains("Verified OK"),
        "openssl: {out:?}"
    );
    let payload: Value = serde_json::from_slice(&payload).unwrap();
    assert_eq!(payload["critical"]["image"]["docker-manifest-digest"], a);
    assert_eq!(payload["optional"]["team"], "x");

    // Python cryptography recomputes the PAE and verifies the DSSE envelope.
    let raw = c
        .fetch_manifest(&format!("sha256-{}.att", &a[7..]))
        .unwrap()
        .unwrap();
    let m = Manifest::parse("att", &raw.bytes).unwrap();
    let envelope = c.fetch_blob(&digest(&m.layers[0].digest), 1 << 20).unwrap();
    std::fs::write(work.path().join("envelope.json"), &envelope).unwrap();
    let script = r#"
import base64, json, sys
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
env = json.load(open(sys.argv[1]))
pub = serialization.load_pem_public_key(open(sys.argv[2], 'rb').read())
body = base64.b64decode(env['payload'])
t = env['payloadType'].encode()
pae = b'DSSEv1 %d %s %d %s' % (len(t), t, len(body), body)
pub.verify(base64.b64decode(env['signatures'][0]['sig']), pae, ec.ECDSA(hashes.SHA256()))
st = json.loads(body)
print(st['_type'], st['predicateType'], st['subject'][0]['digest']['sha256'])
"#;
    let out = Command::new(PY)
        .args(["-c", script])
        .arg(work.path().join("envelope.json"))
        .arg(&public)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "python DSSE check: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let line = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        line.trim(),
        format!(
            "https://in-toto.io/Statement/v0.1 https://cosign.sigstore.dev/attestation/v1 {}",
            &a[7..]
        )
    );

    // Python (hashlib.scrypt + PyNaCl) decrypts palisade's private key and
    // finds the public key palisade wrote.
    let script = r#"
import base64, json, sys, hashlib, nacl.secret
from cryptography.hazmat.primitives import serialization
lines = open(sys.argv[1]).read().strip().splitlines()
assert lines[0] == '-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----', lines[0]
doc = json.loads(base64.b64decode(''.join(lines[1:-1])))
p = doc['kdf']['params']
key = hashlib.scrypt(sys.argv[3].encode(), salt=base64.b64decode(doc['kdf']['salt']), n=p['N'], r=p['r'], p=p['p'], maxmem=128*1024*1024, dklen=32)
der = nacl.secret.SecretBox(key).decrypt(base64.b64decode(doc['ciphertext']), base64.b64decode(doc['cipher']['nonce']))
priv = serialization.load_der_private_key(der, password=None)
mine = priv.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
theirs = open(sys.argv[2], 'rb').read()
assert mine.strip() == theirs.strip(), (mine, theirs)
print('ok', priv.curve.name)
"#;
    let out = Command::new(PY)
        .args(["-c", script])
        .arg(&key)
        .arg(&public)
        .arg(PASSWORD)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "python key check: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "ok secp256r1");
}

#[test]
fn multi_platform_images_are_signed_by_their_index_digest() {
    let Some(Setup {
        registry,
        keys: _keys, // holds the key files until the test ends
        key,
        public,
    }) = setup("multi_platform_sign", false)
    else {
        return;
    };
    let amd = spec("amd").platform("linux", "amd64").build();
    let arm = spec("arm").platform("linux", "arm64").build();
    let oci = tempfile::tempdir().unwrap();
    let (index_digest, manifests) = support::registry::write_oci_index(
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
    let img = registry.docker_ref("team/multi:v1");
    let run = palisade(
        &["sign", &img, "--key", p(&key), "--format", "json"],
        None,
        &env(),
    );
    assert_eq!(run.json()["digest"], index_digest);
    let run = palisade(&["verify", &img, "--key", p(&public)], None, &[]);
    assert_code(&run, 0, &[&index_digest]);
    // One platform's manifest is not signed by the index signature.
    let one = registry.docker_ref(&format!("team/multi@{}", manifests[1]));
    let run = palisade(&["verify", &one, "--key", p(&public)], None, &[]);
    assert_code(&run, 10, &["not signed"]);
}

#[test]
fn offline_signature_files_verify_with_openssl_and_nothing_is_uploaded() {
    let Some(Setup {
        registry,
        keys,
        key,
        public,
    }) = setup("offline_sign", true)
    else {
        return;
    };
    let a = push(&registry, "a", "team/app:v1");
    let img = registry.docker_ref("team/app:v1");
    let sig = keys.path().join("sig.b64");
    let payload = keys.path().join("payload.json");
    let run = palisade(
        &[
            "sign",
            &img,
            "--key",
            p(&key),
            "--upload=false",
            "--output-signature",
            p(&sig),
            "--output-payload",
            p(&payload),
        ],
        None,
        &env(),
    );
    assert_code(&run, 0, &["not uploaded"]);
    let der = STANDARD.decode(std::fs::read(&sig).unwrap()).unwrap();
    let der_path = keys.path().join("sig.der");
    std::fs::write(&der_path, der).unwrap();
    let out = Command::new("openssl")
        .args([
            "dgst",
            "-sha256",
            "-verify",
            p(&public),
            "-signature",
            p(&der_path),
            p(&payload),
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "openssl: {out:?}");
    let v: Value = serde_json::from_slice(&std::fs::read(&payload).unwrap()).unwrap();
    assert_eq!(v["critical"]["image"]["docker-manifest-digest"], a);
    // Nothing was stored.
    let run = palisade(&["verify", &img, "--key", p(&public)], None, &[]);
    assert_code(&run, 10, &["not signed"]);
}
