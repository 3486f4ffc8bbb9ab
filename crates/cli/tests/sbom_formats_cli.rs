//! `palisade sbom --format cyclonedx|spdx` as a user runs it: on a
//! synthetic Debian image, on the bundled demo image and (with
//! `PALISADE_IMAGES`) on the make-images images, each document validated
//! against the official CycloneDX 1.6 schema / by the SPDX tools from
//! /opt/palisade-venv (`.ci/run` installs them; `PALISADE_SKIP_SCHEMA_TESTS=1`
//! skips the validation), and reproducible byte for byte.

use palisade_testsupport::{ImageSpec, Layer, write_oci};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const VENV_PYTHON: &str = "/opt/palisade-venv/bin/python";

fn palisade(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_palisade"))
        .args(args)
        .output()
        .expect("run palisade")
}

fn validate(kind: &str, path: &Path) {
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
        .arg(path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{kind} document {} is invalid:\n{}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Runs `sbom --format KIND` twice (stdout and `-o`), checks the two
/// outputs are identical, validates, and returns the parsed document.
fn sbom(kind: &str, reference: &str, dir: &Path) -> Value {
    let out = palisade(&["sbom", "-q", "--format", kind, reference]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let file = dir.join(format!("sbom.{kind}.json"));
    let again = palisade(&[
        "sbom",
        "-q",
        "-f",
        kind,
        "-o",
        file.to_str().unwrap(),
        reference,
    ]);
    assert!(again.status.success());
    assert!(again.stdout.is_empty());
    let written = std::fs::read(&file).unwrap();
    assert!(
        out.stdout == written,
        "{kind} output of {reference} is not reproducible"
    );
    validate(kind, &file);
    serde_json::from_slice(&written).unwrap()
}

fn synthetic(dir: &Path) -> String {
    let status = "Package: libgcc-s1\nStatus: install ok installed\nArchitecture: amd64\nSource: gcc-12 (12.2.0-14)\nVersion: 12.2.0-14\n\n\
Package: bash\nStatus: install ok installed\nArchitecture: amd64\nVersion: 5.2.15-2+b2\n\n\
Package: g++\nStatus: install ok installed\nArchitecture: amd64\nSource: gcc-defaults (1.203)\nVersion: 4:12.2.0-3\n";
    let spec = ImageSpec::new(vec![
        Layer::new().file(
            "etc/os-release",
            b"PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\nVERSION_ID=\"12\"\n",
        ),
        Layer::new().file("var/lib/dpkg/status", status.as_bytes()),
    ]);
    let layout = dir.join("oci");
    write_oci(&layout, &spec, "latest");
    format!("oci:{}:latest", layout.display())
}

#[test]
fn cyclonedx_of_a_synthetic_image() {
    let dir = tempfile::tempdir().unwrap();
    let reference = synthetic(dir.path());
    let v = sbom("cyclonedx", &reference, dir.path());
    assert_eq!(v["specVersion"], "1.6");
    // The image config's `created`.
    assert_eq!(v["metadata"]["timestamp"], "2025-01-01T00:00:00Z");
    let image = &v["metadata"]["component"];
    assert_eq!(image["type"], "container");
    assert_eq!(image["name"], reference.as_str());
    assert!(image["version"].as_str().unwrap().starts_with("sha256:"));
    let comps = v["components"].as_array().unwrap();
    let names: Vec<&str> = comps.iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["debian", "bash", "g++", "libgcc-s1"]);
    assert_eq!(comps[0]["type"], "operating-system");
    assert_eq!(
        comps[1]["purl"],
        "pkg:deb/debian/bash@5.2.15-2%2Bb2?arch=amd64&distro=debian-12"
    );
    assert_eq!(comps[1]["bom-ref"], comps[1]["purl"]);
    let props = comps[3]["properties"].as_array().unwrap();
    assert!(
        props.contains(
            &serde_json::json!({"name": "palisade:package:source-name", "value": "gcc-12"})
        )
    );
    assert!(props.contains(&serde_json::json!({"name": "palisade:package:location", "value": "/var/lib/dpkg/status#layer=1"})));
}

#[test]
fn spdx_of_a_synthetic_image() {
    let dir = tempfile::tempdir().unwrap();
    let reference = synthetic(dir.path());
    let v = sbom("spdx", &reference, dir.path());
    assert_eq!(v["spdxVersion"], "SPDX-2.3");
    assert_eq!(v["name"], reference.as_str());
    assert_eq!(v["creationInfo"]["created"], "2025-01-01T00:00:00Z");
    let p = v["packages"].as_array().unwrap();
    let ids: Vec<&str> = p.iter().map(|p| p["SPDXID"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        [
            "SPDXRef-Image",
            "SPDXRef-OperatingSystem",
            "SPDXRef-Package-bash-5.2.15-2-b2",
            "SPDXRef-Package-g---4-12.2.0-3",
            "SPDXRef-Package-libgcc-s1-12.2.0-14",
        ]
    );
    assert_eq!(
        p[3]["sourceInfo"],
        "built from source package gcc-defaults 1.203"
    );
    assert_eq!(
        p[3]["externalRefs"][0]["referenceLocator"],
        "pkg:deb/debian/g%2B%2B@4:12.2.0-3?arch=amd64&distro=debian-12"
    );
    assert_eq!(v["relationships"].as_array().unwrap().len(), 5);
}

#[test]
fn the_demo_image() {
    let dir = tempfile::tempdir().unwrap();
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../demo/image");
    let reference = format!("oci:{}:latest", demo.display());
    let cdx = sbom("cyclonedx", &reference, dir.path());
    let spdx = sbom("spdx", &reference, dir.path());
    let n = cdx["components"].as_array().unwrap().len();
    // The SPDX document adds the image package.
    assert_eq!(spdx["packages"].as_array().unwrap().len(), n + 1);
}

#[test]
fn the_make_images_images() {
    let Some(root) = std::env::var_os("PALISADE_IMAGES").map(PathBuf::from) else {
        eprintln!(
            "SKIPPED: set PALISADE_IMAGES (e.g. /work/images) to check the make-images images"
        );
        return;
    };
    let mut checked = 0;
    for name in ["debian12-python-app", "alpine-like", "debian12-minbase"] {
        let layout = root.join("oci").join(name);
        if !layout.join("index.json").exists() {
            eprintln!("SKIPPED: {} is missing", layout.display());
            continue;
        }
        let dir = tempfile::tempdir().unwrap();
        let reference = format!("oci:{}:latest", layout.display());
        let json = palisade(&["sbom", "-q", "-f", "json", &reference]);
        assert!(json.status.success());
        let json: Value = serde_json::from_slice(&json.stdout).unwrap();
        let packages = json["packages"].as_array().unwrap().len();
        assert!(packages > 0, "{name}");
        let cdx = sbom("cyclonedx", &reference, dir.path());
        let libraries = cdx["components"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["type"] == "library")
            .count();
        assert_eq!(libraries, packages, "{name}");
        let spdx = sbom("spdx", &reference, dir.path());
        let libraries = spdx["packages"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["primaryPackagePurpose"] == "LIBRARY")
            .count();
        assert_eq!(libraries, packages, "{name}");
        checked += 1;
    }
    eprintln!("checked {checked} make-images images");
}
