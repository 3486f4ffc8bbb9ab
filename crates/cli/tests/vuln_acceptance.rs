//! `palisade image --scanners vuln` on `debian12-python-app` (built by
//! tools/make-images.sh) against a database imported from the real OSV data
//! in `../shared/vulndata`: the planted vulnerable packages are found with
//! the right fixed versions, Debian packages are matched by source package,
//! the package deleted by a whiteout is not reported, and no Debian finding
//! is at or above its fixed version according to `dpkg --compare-versions`
//! (the real oracle, not our own comparison).
//!
//! Needs `PALISADE_IMAGES` (e.g. /work/images or /var/tmp/palisade-images)
//! and the vulnerability data (`PALISADE_VULNDATA`, else `../shared/vulndata`
//! next to the repository); prints SKIPPED otherwise. `PALISADE_BIN` may
//! name a release build (the import is much faster there).

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

fn palisade_bin() -> PathBuf {
    std::env::var_os("PALISADE_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_palisade")))
}

fn vulndata() -> Option<PathBuf> {
    palisade_testsupport::vulndata("PyPI/all.zip")
}

fn python_app() -> Option<String> {
    let Some(root) = std::env::var_os("PALISADE_IMAGES") else {
        eprintln!("SKIPPED: set PALISADE_IMAGES to a directory made by tools/make-images.sh");
        return None;
    };
    let dir = Path::new(&root).join("oci/debian12-python-app");
    if !dir.join("index.json").exists() {
        eprintln!("SKIPPED: {} not built", dir.display());
        return None;
    }
    Some(format!("oci:{}", dir.display()))
}

/// One database for every test in this file: Debian, PyPI, npm, crates.io.
fn database(data: &Path) -> PathBuf {
    static DB: OnceLock<PathBuf> = OnceLock::new();
    DB.get_or_init(|| {
        let dir =
            std::env::temp_dir().join(format!("palisade-vuln-acceptance-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let db = dir.join("vuln.db");
        let out = Command::new(palisade_bin())
            .args(["db", "import", "-q", "--db"])
            .arg(&db)
            .args(["Debian", "PyPI", "npm", "crates.io"].map(|e| data.join(e).join("all.zip")))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "import failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        db
    })
    .clone()
}

fn scan(image: &str, db: &Path) -> Vec<Value> {
    let out = Command::new(palisade_bin())
        .args(["image", "-q", "--scanners", "vuln", "-f", "json", "--db"])
        .arg(db)
        .arg(image)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "scan failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    v["findings"].as_array().unwrap().clone()
}

/// The finding for `id` on `package`, and its fixed version.
fn find<'a>(
    findings: &'a [Value],
    package: &str,
    version: &str,
    id: &str,
) -> (&'a Value, Option<String>) {
    let prefix = format!("{package} {version}");
    let f = findings
        .iter()
        .find(|f| f["rule"] == id && f["message"].as_str().unwrap().starts_with(&prefix))
        .unwrap_or_else(|| panic!("no {id} finding for {prefix}"));
    let fixed = f["fix"].as_str().map(|s| {
        s.split(" to ")
            .nth(1)
            .unwrap()
            .trim_end_matches(" or later")
            .to_string()
    });
    (f, fixed)
}

#[test]
fn python_app_planted_vulnerabilities() {
    let (Some(data), Some(image)) = (vulndata(), python_app()) else {
        return;
    };
    let findings = scan(&image, &database(&data));
    let cases = [
        (
            "requests",
            "2.19.1",
            "CVE-2018-18074",
            "2.20.0",
            &["PYSEC-2018-28", "GHSA-x84v-xcm2-53pg"][..],
        ),
        (
            "urllib3",
            "1.24.1",
            "CVE-2019-11324",
            "1.24.2",
            &["GHSA-mh33-7rrq-662w"][..],
        ),
        (
            "lodash",
            "4.17.4",
            "CVE-2019-10744",
            "4.17.12",
            &["GHSA-jf85-cpcp-j695"][..],
        ),
        ("lodash", "4.17.4", "CVE-2020-8203", "4.17.19", &[][..]),
        ("minimist", "0.0.8", "CVE-2021-44906", "0.2.4", &[][..]),
        ("minimist", "0.0.8", "CVE-2020-7598", "0.2.1", &[][..]),
        ("PyYAML", "5.3.1", "CVE-2020-14343", "5.4", &[][..]),
    ];
    for (pkg, ver, id, fixed, sources) in cases {
        let (f, got) = find(&findings, pkg, ver, id);
        assert_eq!(got.as_deref(), Some(fixed), "{pkg} {id}");
        for s in sources {
            assert!(
                f["message"].as_str().unwrap().contains(s),
                "{pkg} {id}: {s} not named in {f}"
            );
        }
    }
    // One finding per vulnerability: the PYSEC and GHSA records of
    // CVE-2018-18074 are merged.
    let n = findings
        .iter()
        .filter(|f| f["rule"] == "CVE-2018-18074")
        .count();
    assert_eq!(n, 1);
    // PyJWT 1.5.0 is deleted by a whiteout: not in the final filesystem.
    assert!(
        !findings
            .iter()
            .any(|f| f["title"].as_str().unwrap().starts_with("PyJWT"))
    );
}

#[test]
fn python_app_debian_by_source_and_never_at_or_above_the_fix() {
    let (Some(data), Some(image)) = (vulndata(), python_app()) else {
        return;
    };
    if Command::new("dpkg").arg("--version").output().is_err() {
        panic!("dpkg is needed as the version oracle (apt-get install dpkg)");
    }
    let findings = scan(&image, &database(&data));
    let debian: Vec<&Value> = findings
        .iter()
        .filter(|f| f["message"].as_str().unwrap().contains("[Debian:12]"))
        .collect();
    assert!(!debian.is_empty(), "no Debian findings");
    // libc6 is built from glibc: matched through the source package.
    assert!(
        debian
            .iter()
            .any(|f| f["message"].as_str().unwrap().starts_with("libc6 ")
                && f["message"]
                    .as_str()
                    .unwrap()
                    .contains("(source package glibc ")),
        "no libc6 finding through its source package glibc"
    );
    let mut checked = 0;
    for f in &debian {
        let Some(fix) = f["fix"].as_str() else {
            continue;
        };
        let fixed = fix
            .split(" to ")
            .nth(1)
            .unwrap()
            .trim_end_matches(" or later");
        let msg = f["message"].as_str().unwrap();
        // "pkg ver (source package src srcver) [Debian:12] ..." or "pkg ver [Debian:12] ..."
        let installed = match msg.split_once("(source package ") {
            Some((_, rest)) => rest.split(')').next().unwrap().split(' ').nth(1).unwrap(),
            None => msg.split(' ').nth(1).unwrap(),
        };
        let ok = Command::new("dpkg")
            .args(["--compare-versions", installed, "lt", fixed])
            .status()
            .unwrap()
            .success();
        assert!(
            ok,
            "{installed} is not below the fixed version {fixed}: {msg}"
        );
        checked += 1;
    }
    eprintln!(
        "{} Debian findings, {checked} with a fix checked against dpkg",
        debian.len()
    );
}
