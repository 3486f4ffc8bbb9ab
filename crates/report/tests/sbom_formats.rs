//! CycloneDX 1.6 and SPDX 2.3 output of `palisade_report::{cyclonedx, spdx}`
//! on synthetic packages, checked against the official schemas with the
//! Python validators in /opt/palisade-venv (`.ci/run` installs them;
//! `PALISADE_SKIP_SCHEMA_TESTS=1` skips that part).

use palisade_model::package::{Package, PackageLocation};
use palisade_report::{SbomDoc, cyclonedx, spdx};
use serde_json::Value;
use std::collections::HashSet;
use std::path::Path;
use std::process::Command;

const VENV_PYTHON: &str = "/opt/palisade-venv/bin/python";

fn pkg(name: &str, version: &str, purl: &str, licenses: &[&str]) -> Package {
    Package {
        name: name.into(),
        version: version.into(),
        ecosystem: "Alpine:v3.18".into(),
        purl: purl.into(),
        arch: Some("x86_64".into()),
        source_name: Some(format!("{name}-src")),
        source_version: Some(version.into()),
        licenses: licenses.iter().map(|s| s.to_string()).collect(),
        locations: vec![PackageLocation {
            path: "/lib/apk/db/installed".into(),
            layer: 1,
        }],
        files: vec!["/usr/bin/x".into()],
    }
}

fn packages() -> Vec<Package> {
    vec![
        pkg(
            "busybox",
            "1.36.1-r0",
            "pkg:apk/alpine/busybox@1.36.1-r0?arch=x86_64",
            &["GPL-2.0-only"],
        ),
        pkg(
            "g++",
            "12.2.0-r0",
            "pkg:apk/alpine/g%2B%2B@12.2.0-r0",
            &["GPL-2.0-or-later AND LGPL-2.1-or-later", "MIT"],
        ),
        // Same purl as the one before: bom-refs and SPDXIDs must stay unique.
        pkg(
            "g++",
            "12.2.0-r0",
            "pkg:apk/alpine/g%2B%2B@12.2.0-r0",
            &["custom:weird licence"],
        ),
        pkg(
            "ünï cödé/x\u{202e}",
            "1:2.0~rc1+b2",
            "pkg:apk/alpine/%C3%BCn%C3%AF@1:2.0~rc1%2Bb2",
            &["MIT OR", ""],
        ),
    ]
}

fn doc<'a>(packages: &'a [Package], digest: Option<&'a str>) -> SbomDoc<'a> {
    SbomDoc {
        name: "registry.example/app:1.0",
        digest,
        os: Some(("alpine", "3.18.2")),
        packages,
        created: "2025-01-01T00:00:00Z",
    }
}

const DIGEST: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

/// Validates with the official schemas (CycloneDX) / the SPDX tools.
pub fn validate(kind: &str, text: &str, name: &str) {
    if std::env::var_os("PALISADE_SKIP_SCHEMA_TESTS").is_some_and(|v| v == "1") {
        eprintln!("SKIPPED: {kind} schema validation (PALISADE_SKIP_SCHEMA_TESTS=1)");
        return;
    }
    assert!(
        Path::new(VENV_PYTHON).exists(),
        "{VENV_PYTHON} is missing: run .ci/run (or `python3 -m venv /opt/palisade-venv && \
         /opt/palisade-venv/bin/pip install 'cyclonedx-python-lib[json-validation]' spdx-tools`), \
         or set PALISADE_SKIP_SCHEMA_TESTS=1"
    );
    let path = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("report-{name}-{}.{kind}.json", std::process::id()));
    std::fs::write(&path, text).unwrap();
    let script = match kind {
        "cyclonedx" => {
            "import sys\n\
             from cyclonedx.validation.json import JsonStrictValidator\n\
             from cyclonedx.schema import SchemaVersion\n\
             e = JsonStrictValidator(SchemaVersion.V1_6).validate_str(open(sys.argv[1]).read())\n\
             sys.exit(str(e) if e else 0)\n"
        }
        _ => {
            "import sys\n\
             from spdx_tools.spdx.parser.parse_anything import parse_file\n\
             from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document\n\
             msgs = validate_full_spdx_document(parse_file(sys.argv[1]), 'SPDX-2.3')\n\
             sys.exit('\\n'.join(m.validation_message for m in msgs) if msgs else 0)\n"
        }
    };
    let out = Command::new(VENV_PYTHON)
        .arg("-c")
        .arg(script)
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{kind} document {} is invalid:\n{}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let _ = std::fs::remove_file(&path);
}

fn is_uuid_v5(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.iter().map(|p| p.len()).collect::<Vec<_>>() == [8, 4, 4, 4, 12]
        && s.chars()
            .all(|c| c == '-' || c.is_ascii_digit() || ('a'..='f').contains(&c))
        && parts[2].starts_with('5')
        && parts[3].starts_with(['8', '9', 'a', 'b'])
}

#[test]
fn cyclonedx_is_valid_and_complete() {
    let pkgs = packages();
    let text = cyclonedx::render(&doc(&pkgs, Some(DIGEST)));
    validate("cyclonedx", &text, "cdx");
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["bomFormat"], "CycloneDX");
    assert_eq!(v["specVersion"], "1.6");
    assert_eq!(v["version"], 1);
    let serial = v["serialNumber"].as_str().unwrap();
    assert!(
        is_uuid_v5(serial.strip_prefix("urn:uuid:").unwrap()),
        "{serial}"
    );
    assert_eq!(v["metadata"]["timestamp"], "2025-01-01T00:00:00Z");
    assert_eq!(v["metadata"]["tools"]["components"][0]["name"], "palisade");
    assert_eq!(v["metadata"]["component"]["type"], "container");
    assert_eq!(v["metadata"]["component"]["version"], DIGEST);
    let comps = v["components"].as_array().unwrap();
    assert_eq!(comps.len(), 5);
    assert_eq!(comps[0]["type"], "operating-system");
    assert_eq!(comps[0]["name"], "alpine");
    assert_eq!(comps[0]["version"], "3.18.2");
    assert_eq!(comps[1]["type"], "library");
    assert_eq!(comps[1]["bom-ref"], comps[1]["purl"]);
    assert_eq!(
        comps[1]["licenses"],
        serde_json::json!([{"license": {"id": "GPL-2.0-only"}}])
    );
    assert_eq!(
        comps[2]["licenses"],
        serde_json::json!([
            {"license": {"name": "GPL-2.0-or-later AND LGPL-2.1-or-later"}},
            {"license": {"id": "MIT"}}
        ])
    );
    assert_eq!(comps[3]["bom-ref"], "pkg:apk/alpine/g%2B%2B@12.2.0-r0#2");
    let refs: HashSet<&str> = comps
        .iter()
        .map(|c| c["bom-ref"].as_str().unwrap())
        .collect();
    assert_eq!(refs.len(), comps.len());
    let props = comps[1]["properties"].as_array().unwrap();
    let prop = |n: &str| {
        props
            .iter()
            .find(|p| p["name"] == n)
            .map(|p| p["value"].clone())
    };
    assert_eq!(prop("palisade:package:arch").unwrap(), "x86_64");
    assert_eq!(prop("palisade:package:source-name").unwrap(), "busybox-src");
    assert_eq!(
        prop("palisade:package:location").unwrap(),
        "/lib/apk/db/installed#layer=1"
    );
    let deps = &v["dependencies"][0];
    assert_eq!(deps["ref"], v["metadata"]["component"]["bom-ref"]);
    assert_eq!(deps["dependsOn"].as_array().unwrap().len(), 5);
}

#[test]
fn spdx_is_valid_and_complete() {
    let pkgs = packages();
    let text = spdx::render(&doc(&pkgs, Some(DIGEST)));
    validate("spdx", &text, "spdx");
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["spdxVersion"], "SPDX-2.3");
    assert_eq!(v["dataLicense"], "CC0-1.0");
    assert_eq!(v["SPDXID"], "SPDXRef-DOCUMENT");
    assert_eq!(v["name"], "registry.example/app:1.0");
    let ns = v["documentNamespace"].as_str().unwrap();
    assert!(!ns.contains('#') && ns.starts_with("https://"), "{ns}");
    assert!(is_uuid_v5(&ns[ns.len() - 36..]), "{ns}");
    assert_eq!(v["creationInfo"]["created"], "2025-01-01T00:00:00Z");
    assert_eq!(
        v["creationInfo"]["creators"][0],
        format!("Tool: palisade-{}", palisade_report::TOOL_VERSION)
    );
    let p = v["packages"].as_array().unwrap();
    assert_eq!(p.len(), 6);
    assert_eq!(p[0]["SPDXID"], "SPDXRef-Image");
    assert_eq!(p[0]["versionInfo"], DIGEST);
    assert_eq!(p[0]["primaryPackagePurpose"], "CONTAINER");
    assert_eq!(p[1]["primaryPackagePurpose"], "OPERATING-SYSTEM");
    assert_eq!(p[2]["SPDXID"], "SPDXRef-Package-busybox-1.36.1-r0");
    assert_eq!(p[2]["licenseDeclared"], "GPL-2.0-only");
    assert_eq!(p[2]["downloadLocation"], "NOASSERTION");
    assert_eq!(p[2]["filesAnalyzed"], false);
    assert_eq!(
        p[2]["sourceInfo"],
        "built from source package busybox-src 1.36.1-r0"
    );
    assert_eq!(
        p[2]["externalRefs"],
        serde_json::json!([{
            "referenceCategory": "PACKAGE-MANAGER",
            "referenceType": "purl",
            "referenceLocator": "pkg:apk/alpine/busybox@1.36.1-r0?arch=x86_64"
        }])
    );
    assert_eq!(
        p[3]["licenseDeclared"],
        "(GPL-2.0-or-later AND LGPL-2.1-or-later) AND MIT"
    );
    assert_eq!(p[3]["SPDXID"], "SPDXRef-Package-g---12.2.0-r0");
    assert_eq!(p[4]["SPDXID"], "SPDXRef-Package-g---12.2.0-r0-2");
    assert_eq!(p[4]["licenseDeclared"], "NOASSERTION");
    assert_eq!(p[5]["licenseDeclared"], "NOASSERTION");
    let ids: HashSet<&str> = p.iter().map(|p| p["SPDXID"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), p.len());
    let rel = v["relationships"].as_array().unwrap();
    assert_eq!(rel.len(), 6);
    assert_eq!(rel[0]["relationshipType"], "DESCRIBES");
    assert!(
        rel[1..]
            .iter()
            .all(|r| r["relationshipType"] == "CONTAINS" && r["spdxElementId"] == "SPDXRef-Image")
    );
}

#[test]
fn empty_and_digestless_documents_are_valid() {
    let none: Vec<Package> = Vec::new();
    let mut d = doc(&none, None);
    d.os = None;
    validate("cyclonedx", &cyclonedx::render(&d), "empty");
    validate("spdx", &spdx::render(&d), "empty");
}

#[test]
fn output_is_deterministic() {
    let pkgs = packages();
    for render in [cyclonedx::render, spdx::render] {
        let a = render(&doc(&pkgs, Some(DIGEST)));
        assert_eq!(a, render(&doc(&pkgs, Some(DIGEST))));
        // Another image, another serial number / namespace.
        let other = "sha256:1123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        assert_ne!(a, render(&doc(&pkgs, Some(other))));
        // Without a digest the packages decide.
        let b = render(&doc(&pkgs, None));
        assert_eq!(b, render(&doc(&pkgs, None)));
        assert_ne!(b, render(&doc(&pkgs[..1], None)));
    }
}
