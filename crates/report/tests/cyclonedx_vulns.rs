//! CycloneDX 1.6 with `vulnerabilities` (`cyclonedx::render_with_vulnerabilities`):
//! valid against the official 1.6 schema (the CycloneDX Python library's
//! strict validator in /opt/palisade-venv; `PALISADE_SKIP_SCHEMA_TESTS=1`
//! skips that part), `affects` points at the right component `bom-ref`,
//! ratings, advisories, aliases and the fixed version are carried over.

use palisade_model::package::{Package, PackageLocation};
use palisade_model::{Finding, Location, Severity, Vulnerability};
use palisade_report::{SbomDoc, cyclonedx};
use serde_json::Value;
use std::path::Path;
use std::process::Command;

const VENV_PYTHON: &str = "/opt/palisade-venv/bin/python";

fn pkg(name: &str, version: &str, purl: &str) -> Package {
    Package {
        name: name.into(),
        version: version.into(),
        ecosystem: "PyPI".into(),
        purl: purl.into(),
        arch: None,
        source_name: None,
        source_version: None,
        licenses: vec![],
        locations: vec![PackageLocation {
            path: "/usr/lib/python3/dist-packages".into(),
            layer: 3,
        }],
        files: vec![],
    }
}

fn vuln(id: &str, package: &Package, fixed: Option<&str>, vector: Option<&str>) -> Finding {
    Finding {
        rule: id.into(),
        severity: Severity::Medium,
        title: format!("{} {}: summary", package.name, package.version),
        message: "m".into(),
        location: Location {
            input: "oci:x".into(),
            ..Default::default()
        },
        fix: None,
        references: vec![],
        vulnerability: Some(Box::new(Vulnerability {
            id: id.into(),
            aliases: vec!["GHSA-x84v-xcm2-53pg".into(), "PYSEC-2018-28".into()],
            advisories: vec!["GHSA-x84v-xcm2-53pg".into(), "PYSEC-2018-28".into()],
            data_source: "OSV".into(),
            package: package.name.clone(),
            installed_version: package.version.clone(),
            fixed_version: fixed.map(Into::into),
            ecosystem: "PyPI".into(),
            purl: package.purl.clone(),
            source_package: None,
            affected_range: ">= 0, < 2.20.0 (ECOSYSTEM)".into(),
            severity_source: "CVSS_V3 6.1".into(),
            cvss_score: vector.map(|_| 6.1),
            cvss_vector: vector.map(Into::into),
            informational: None,
        })),
    }
}

fn validate(text: &str) {
    if std::env::var_os("PALISADE_SKIP_SCHEMA_TESTS").is_some_and(|v| v == "1") {
        eprintln!("SKIPPED: CycloneDX schema validation (PALISADE_SKIP_SCHEMA_TESTS=1)");
        return;
    }
    assert!(
        Path::new(VENV_PYTHON).exists(),
        "{VENV_PYTHON} is missing: run .ci/run (or `python3 -m venv /opt/palisade-venv && \
         /opt/palisade-venv/bin/pip install 'cyclonedx-python-lib[json-validation]'`), \
         or set PALISADE_SKIP_SCHEMA_TESTS=1"
    );
    let path = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("vulns-{}.cdx.json", std::process::id()));
    std::fs::write(&path, text).unwrap();
    let out = Command::new(VENV_PYTHON)
        .arg("-c")
        .arg(
            "import sys\n\
             from cyclonedx.validation.json import JsonStrictValidator\n\
             from cyclonedx.schema import SchemaVersion\n\
             e = JsonStrictValidator(SchemaVersion.V1_6).validate_str(open(sys.argv[1]).read())\n\
             sys.exit(str(e) if e else 0)\n",
        )
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "CycloneDX document {} is invalid:\n{}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let _ = std::fs::remove_file(&path);
}

#[test]
fn vulnerabilities_are_valid_and_point_at_components() {
    let packages = vec![
        pkg("requests", "2.19.1", "pkg:pypi/requests@2.19.1"),
        pkg("urllib3", "1.24.1", "pkg:pypi/urllib3@1.24.1"),
        // The same purl twice (two copies installed): both are affected.
        pkg("urllib3", "1.24.1", "pkg:pypi/urllib3@1.24.1"),
    ];
    let findings = vec![
        vuln(
            "CVE-2018-18074",
            &packages[0],
            Some("2.20.0"),
            Some("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N"),
        ),
        vuln("CVE-2019-11324", &packages[1], None, None),
        // Not a vulnerability: left out.
        Finding {
            vulnerability: None,
            ..vuln("PAL-IMG-001", &packages[0], None, None)
        },
    ];
    let doc = SbomDoc {
        name: "oci:x",
        digest: None,
        os: Some(("debian", "12")),
        packages: &packages,
        created: "2026-12-06T00:00:00Z",
    };
    let text = cyclonedx::render_with_vulnerabilities(&doc, &findings);
    validate(&text);
    let bom: Value = serde_json::from_str(&text).unwrap();
    let vulns = bom["vulnerabilities"].as_array().unwrap();
    assert_eq!(vulns.len(), 2);
    let refs_of = |purl: &str| -> Vec<String> {
        bom["components"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["purl"] == purl)
            .map(|c| c["bom-ref"].as_str().unwrap().to_string())
            .collect()
    };
    let v = &vulns[0];
    assert_eq!(v["id"], "CVE-2018-18074");
    assert_eq!(v["source"]["name"], "OSV");
    assert_eq!(
        v["affects"][0]["ref"],
        refs_of("pkg:pypi/requests@2.19.1")[0]
    );
    assert_eq!(v["affects"][0]["versions"][0]["version"], "2.19.1");
    assert_eq!(v["ratings"][0]["method"], "CVSSv31");
    assert_eq!(v["ratings"][0]["score"], 6.1);
    assert_eq!(v["ratings"][0]["severity"], "medium");
    assert_eq!(v["recommendation"], "Upgrade requests to 2.20.0 or later.");
    assert_eq!(v["references"][0]["id"], "GHSA-x84v-xcm2-53pg");
    assert_eq!(v["advisories"].as_array().unwrap().len(), 2);
    // urllib3: no fix yet, no CVSS; both copies affected.
    let u = &vulns[1];
    assert!(u.get("recommendation").is_none());
    assert_eq!(u["ratings"][0]["severity"], "medium");
    let affected: Vec<&str> = u["affects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["ref"].as_str().unwrap())
        .collect();
    assert_eq!(affected, refs_of("pkg:pypi/urllib3@1.24.1"));
    assert_eq!(affected.len(), 2);
    // Without findings it is the plain SBOM.
    assert_eq!(
        cyclonedx::render_with_vulnerabilities(&doc, &[]),
        cyclonedx::render(&doc)
    );
}
