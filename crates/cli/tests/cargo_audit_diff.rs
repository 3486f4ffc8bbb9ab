//! Differential test against `cargo audit` (cargo-audit 0.22) on a
//! Cargo.lock of 22 crates at known-vulnerable versions (the lock file of
//! bench/cargo-audit.sh): cargo audit reads the RustSec advisories of
//! those crates (`tests/data/advisory-db`, a verbatim copy at one commit,
//! see its SOURCES.md), palisade the OSV export of the same advisories in
//! `../shared/vulndata/crates.io/all.zip`. The vulnerabilities, as
//! (RUSTSEC id, crate, version), must be equal, and so must the
//! informational warnings, as (kind, RUSTSEC id, crate, version).
//! Yanked-crate warnings are not compared: palisade works offline and
//! cannot know them (cargo audit asks the crates.io index).
//!
//! Needs the vulnerability data (`PALISADE_VULNDATA`, else
//! `../shared/vulndata` next to the repository; SKIPPED when absent),
//! `git`, and cargo-audit (`$CARGO_AUDIT`, else `cargo-audit` on PATH or in
//! ~/.cargo/bin): without them the test fails, unless
//! PALISADE_SKIP_PEER_TESTS=1. Install: `cargo install --locked cargo-audit
//! --version 0.22.2`.
//!
//! The `--informational` modes and the gate are checked through the
//! binary as well (they need only the data).

use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// (name, version): the crates of bench/cargo-audit.sh.
const CRATES: &[(&str, &str)] = &[
    ("smallvec", "1.6.0"),
    ("tokio", "1.0.0"),
    ("hyper", "0.14.0"),
    ("regex", "1.5.4"),
    ("time", "0.1.43"),
    ("chrono", "0.4.19"),
    ("openssl", "0.10.30"),
    ("crossbeam-channel", "0.5.0"),
    ("tar", "0.4.30"),
    ("h2", "0.3.0"),
    ("rustls", "0.20.0"),
    ("ring", "0.16.20"),
    ("serde_yaml", "0.8.0"),
    ("idna", "0.5.0"),
    ("url", "2.5.0"),
    ("shlex", "1.1.0"),
    ("zerovec", "0.10.0"),
    ("rsa", "0.9.6"),
    ("openssl-src", "111.0.0+1.1.1"),
    ("libgit2-sys", "0.14.0+1.5.0"),
    ("serde", "1.0.200"),
    ("anyhow", "1.0.80"),
];

fn palisade_bin() -> PathBuf {
    std::env::var_os("PALISADE_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_palisade")))
}

fn vulndata() -> Option<PathBuf> {
    palisade_testsupport::vulndata("crates.io/all.zip")
}

fn skip_peers() -> bool {
    std::env::var("PALISADE_SKIP_PEER_TESTS").as_deref() == Ok("1")
}

/// The cargo-audit binary, or None (SKIPPED) when missing and peers are skipped.
fn cargo_audit() -> Option<PathBuf> {
    let mut candidates: Vec<PathBuf> = std::env::var_os("CARGO_AUDIT")
        .map(PathBuf::from)
        .into_iter()
        .collect();
    candidates.push(PathBuf::from("cargo-audit"));
    if let Some(home) = std::env::var_os("HOME") {
        candidates.push(Path::new(&home).join(".cargo/bin/cargo-audit"));
    }
    for c in candidates {
        if let Ok(out) = Command::new(&c).args(["audit", "--version"]).output()
            && out.status.success()
        {
            let version = String::from_utf8_lossy(&out.stdout);
            assert!(
                version.contains(" 0.22."),
                "{} is {version}, the test expects cargo-audit 0.22",
                c.display()
            );
            return Some(c);
        }
    }
    if skip_peers() {
        eprintln!("SKIPPED: cargo-audit missing, PALISADE_SKIP_PEER_TESTS=1");
        return None;
    }
    panic!(
        "cargo-audit missing: cargo install --locked cargo-audit --version 0.22.2 (or set CARGO_AUDIT, or PALISADE_SKIP_PEER_TESTS=1)"
    );
}

fn run(cmd: &mut Command) -> std::process::Output {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("palisade-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The crates.io OSV records of ../shared/vulndata, imported once.
fn database(data: &Path) -> PathBuf {
    static DB: OnceLock<PathBuf> = OnceLock::new();
    DB.get_or_init(|| {
        let db = temp_dir("cargo-audit-db").join("vuln.db");
        run(Command::new(palisade_bin())
            .args(["db", "import", "-q", "--db"])
            .arg(&db)
            .arg(data.join("crates.io/all.zip")));
        db
    })
    .clone()
}

/// A directory holding a Cargo.lock of `crates`.
fn lock_dir(name: &str, crates: &[(&str, &str)]) -> PathBuf {
    let dir = temp_dir(name);
    let mut s = String::from("version = 3\n\n");
    for (n, v) in crates {
        s.push_str(&format!(
            "[[package]]\nname = \"{n}\"\nversion = \"{v}\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n\n"
        ));
    }
    std::fs::write(dir.join("Cargo.lock"), s).unwrap();
    dir
}

/// The fixture advisory-db as the git repository cargo audit reads.
fn advisory_repo() -> PathBuf {
    let dir = temp_dir("advisory-db");
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/advisory-db");
    run(Command::new("cp")
        .arg("-r")
        .arg(fixture.join("crates"))
        .arg(&dir));
    let git = |args: &[&str]| {
        run(Command::new("git")
            .args([
                "-c",
                "user.name=palisade-test",
                "-c",
                "user.email=test@invalid",
            ])
            .args(args)
            .current_dir(&dir)
            .env("GIT_AUTHOR_DATE", "2026-08-21T00:00:00Z")
            .env("GIT_COMMITTER_DATE", "2026-08-21T00:00:00Z"))
    };
    git(&["init", "-q"]);
    git(&["add", "-A"]);
    git(&[
        "commit",
        "-q",
        "-m",
        "RustSec advisories of the test crates",
    ]);
    dir
}

fn palisade_fs(dir: &Path, db: &Path, extra: &[&str]) -> (Value, i32) {
    let out = Command::new(palisade_bin())
        .args(["fs", "-q", "--scanners", "vuln", "-f", "json", "--db"])
        .arg(db)
        .args(extra)
        .arg(dir)
        .output()
        .unwrap();
    let json = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("palisade fs: {e}: {}", String::from_utf8_lossy(&out.stderr)));
    (json, out.status.code().unwrap_or(-1))
}

type Key = (String, String, String);

/// palisade's findings as (RUSTSEC id, crate, version) vulnerabilities and
/// (kind, RUSTSEC id, crate, version) warnings; findings naming no RUSTSEC
/// advisory are returned apart.
fn palisade_sets(report: &Value) -> (BTreeSet<Key>, BTreeSet<(String, Key)>, Vec<String>) {
    let (mut vulns, mut warnings, mut other) = (BTreeSet::new(), BTreeSet::new(), Vec::new());
    for f in report["findings"].as_array().unwrap() {
        let v = &f["vulnerability"];
        let ids: BTreeSet<&str> = std::iter::once(&v["id"])
            .chain(v["aliases"].as_array().into_iter().flatten())
            .chain(v["advisories"].as_array().into_iter().flatten())
            .filter_map(|i| i.as_str())
            .filter(|i| i.starts_with("RUSTSEC-"))
            .collect();
        if ids.is_empty() {
            other.push(format!("{} {}", v["id"], v["package"]));
        }
        for id in ids {
            let key = (
                id.to_string(),
                v["package"].as_str().unwrap().to_string(),
                v["installed_version"].as_str().unwrap().to_string(),
            );
            match v["informational"].as_str() {
                Some(kind) => warnings.insert((kind.to_string(), key)),
                None => vulns.insert(key),
            };
        }
    }
    (vulns, warnings, other)
}

fn audit_key(x: &Value) -> Key {
    (
        x["advisory"]["id"].as_str().unwrap().to_string(),
        x["package"]["name"].as_str().unwrap().to_string(),
        x["package"]["version"].as_str().unwrap().to_string(),
    )
}

#[test]
fn equals_cargo_audit_on_22_vulnerable_crates() {
    let Some(data) = vulndata() else { return };
    let Some(audit_bin) = cargo_audit() else {
        return;
    };
    let db = database(&data);
    let adb = advisory_repo();
    let src = lock_dir("cargo-audit-lock", CRATES);
    // cargo audit exits 1 when it finds vulnerabilities; it also prints
    // errors for the yanked-crate check it cannot do offline.
    let out = Command::new(&audit_bin)
        .args(["audit", "--no-fetch", "--stale", "--json", "--db"])
        .arg(&adb)
        .arg("-f")
        .arg(src.join("Cargo.lock"))
        .output()
        .unwrap();
    let audit: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("cargo audit: {e}: {}", String::from_utf8_lossy(&out.stderr)));
    let audit_vulns: BTreeSet<Key> = audit["vulnerabilities"]["list"]
        .as_array()
        .unwrap()
        .iter()
        .map(audit_key)
        .collect();
    let mut audit_warnings = BTreeSet::new();
    for (kind, list) in audit["warnings"].as_object().unwrap() {
        for w in list.as_array().unwrap() {
            if w["advisory"].is_null() {
                // Yanked: not an advisory (checked against the crates.io index).
                assert_eq!(kind, "yanked", "{w}");
                continue;
            }
            audit_warnings.insert((kind.clone(), audit_key(w)));
        }
    }

    let (report, code) = palisade_fs(&src, &db, &["--fail-on", "UNKNOWN"]);
    assert_eq!(code, 1, "the vulnerabilities trip --fail-on");
    let (vulns, warnings, other) = palisade_sets(&report);
    assert!(
        other.is_empty(),
        "findings without a RUSTSEC advisory: {other:?}"
    );
    assert_eq!(
        vulns.difference(&audit_vulns).collect::<Vec<_>>(),
        Vec::<&Key>::new(),
        "vulnerabilities palisade reports and cargo audit does not"
    );
    assert_eq!(
        audit_vulns.difference(&vulns).collect::<Vec<_>>(),
        Vec::<&Key>::new(),
        "vulnerabilities cargo audit reports and palisade does not"
    );
    assert_eq!(warnings, audit_warnings, "informational warnings differ");
    // Without a CVE, a finding is named by its RUSTSEC id, as cargo audit
    // names it, even when a GHSA record says the same.
    for f in report["findings"].as_array().unwrap() {
        let v = &f["vulnerability"];
        let id = v["id"].as_str().unwrap();
        let rustsec = v["advisories"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|a| a.as_str().is_some_and(|a| a.starts_with("RUSTSEC-")));
        assert!(
            id.starts_with("CVE-") || id.starts_with("RUSTSEC-") || !rustsec,
            "{id} named instead of its RUSTSEC advisory: {v}"
        );
    }
    // The figures of bench/RESULTS.md (advisory-db bf5c0d245).
    assert_eq!(audit_vulns.len(), 42);
    assert_eq!(audit_warnings.len(), 6);
    let summary = &report["informational"];
    assert_eq!(summary["unsound"], 5, "{summary}");
    assert_eq!(summary["unmaintained"], 1, "{summary}");
}

/// anyhow 1.0.80 has one advisory, RUSTSEC-2026-0190, informational
/// (unsound): a warning that the gate does not count, unless asked.
#[test]
fn informational_modes_and_the_gate() {
    let Some(data) = vulndata() else { return };
    let db = database(&data);
    let src = lock_dir("informational-lock", &[("anyhow", "1.0.80")]);

    let (report, code) = palisade_fs(&src, &db, &["--fail-on", "UNKNOWN"]);
    assert_eq!(code, 0, "a warning does not trip the gate: {report}");
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{report}");
    assert_eq!(findings[0]["vulnerability"]["informational"], "unsound");
    assert_eq!(report["informational"]["unsound"], 1);
    assert!(
        report["summary"]
            .as_object()
            .unwrap()
            .values()
            .all(|n| n == 0),
        "warnings are not counted as findings: {}",
        report["summary"]
    );

    let (report, code) = palisade_fs(
        &src,
        &db,
        &["--fail-on", "UNKNOWN", "--informational", "hide"],
    );
    assert_eq!(code, 0);
    assert_eq!(report["findings"].as_array().unwrap().len(), 0, "{report}");

    let (report, code) = palisade_fs(
        &src,
        &db,
        &["--fail-on", "UNKNOWN", "--informational", "vuln"],
    );
    assert_eq!(code, 1, "as a vulnerability it trips the gate: {report}");
    let f = &report["findings"][0];
    assert!(f["vulnerability"].get("informational").is_none(), "{f}");
    assert!(
        f["message"].as_str().unwrap().contains("unsound"),
        "the message still says what it is: {f}"
    );

    // The table shows it in its own section; SARIF marks it as a note.
    let out = Command::new(palisade_bin())
        .args(["fs", "-q", "--scanners", "vuln", "--db"])
        .arg(&db)
        .arg(&src)
        .output()
        .unwrap();
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        table.contains("Warnings: informational advisories"),
        "{table}"
    );
    assert!(table.contains("UNSOUND"), "{table}");
    assert!(table.contains("0 findings"), "{table}");
    assert!(
        table.contains("1 warning (informational advisories): 1 unsound"),
        "{table}"
    );
    let out = Command::new(palisade_bin())
        .args(["fs", "-q", "--scanners", "vuln", "-f", "sarif", "--db"])
        .arg(&db)
        .arg(&src)
        .output()
        .unwrap();
    let sarif: Value = serde_json::from_slice(&out.stdout).unwrap();
    let result = &sarif["runs"][0]["results"][0];
    assert_eq!(result["level"], "note", "{result}");
    assert_eq!(result["properties"]["informational"], "unsound", "{result}");
}
