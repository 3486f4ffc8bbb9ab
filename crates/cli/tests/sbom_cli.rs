//! `palisade sbom` as a user runs it: JSON and table on a synthetic Debian
//! image, `--output`, and exit code 2 on a bad reference.

use palisade_testsupport::{ImageSpec, Layer, write_oci};
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

fn palisade(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_palisade"))
        .args(args)
        .output()
        .expect("run palisade")
}

fn image(dir: &Path) -> String {
    let status = "Package: libgcc-s1\nStatus: install ok installed\nArchitecture: amd64\nSource: gcc-12 (12.2.0-14)\nVersion: 12.2.0-14\n\n\
Package: bash\nStatus: install ok installed\nArchitecture: amd64\nVersion: 5.2.15-2+b2\n\n\
Package: gone\nStatus: deinstall ok config-files\nArchitecture: amd64\nVersion: 1\n";
    let spec = ImageSpec::new(vec![
        Layer::new()
            .file(
                "usr/lib/os-release",
                b"PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\nVERSION_ID=\"12\"\nVERSION_CODENAME=bookworm\n",
            )
            .symlink("etc/os-release", "../usr/lib/os-release")
            .file("bin/sh", b"")
            .file("var/lib/dpkg/status", status.as_bytes())
            .file("var/lib/dpkg/info/bash.list", b"/.\n/bin\n/bin/bash\n"),
    ]);
    let layout = dir.join("oci");
    write_oci(&layout, &spec, "latest");
    format!("oci:{}:latest", layout.display())
}

#[test]
fn json_lists_the_installed_packages() {
    let dir = tempfile::tempdir().unwrap();
    let reference = image(dir.path());
    let out = palisade(&["sbom", "-q", "--format", "json", &reference]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["image"]["reference"], reference.as_str());
    assert!(
        v["image"]["digest"]
            .as_str()
            .unwrap()
            .starts_with("sha256:")
    );
    assert_eq!(v["os"]["id"], "debian");
    assert_eq!(v["os"]["osv_ecosystem"], "Debian:12");
    let pkgs = v["packages"].as_array().unwrap();
    let names: Vec<&str> = pkgs.iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["bash", "libgcc-s1"]);
    assert_eq!(
        pkgs[0]["purl"],
        "pkg:deb/debian/bash@5.2.15-2%2Bb2?arch=amd64&distro=debian-12"
    );
    assert_eq!(pkgs[0]["files"], serde_json::json!(["/bin/bash"]));
    assert_eq!(pkgs[0]["locations"][0]["path"], "/var/lib/dpkg/status");
    assert_eq!(pkgs[0]["locations"][0]["layer"], 0);
    assert_eq!(pkgs[1]["source_name"], "gcc-12");
    assert_eq!(pkgs[1]["source_version"], "12.2.0-14");
    assert_eq!(pkgs[1]["ecosystem"], "Debian:12");
    assert_eq!(v["warnings"], serde_json::json!([]));
}

#[test]
fn table_and_output_file() {
    let dir = tempfile::tempdir().unwrap();
    let reference = image(dir.path());
    let out = palisade(&["sbom", "-q", &reference]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("OS: Debian GNU/Linux 12 (bookworm) (Debian:12)"),
        "{text}"
    );
    assert!(text.contains("Packages: 2"), "{text}");
    let header = text.lines().find(|l| l.contains("NAME")).expect(&text);
    let cols: Vec<&str> = header.split_whitespace().collect();
    assert_eq!(cols, ["NAME", "VERSION", "ARCH", "SOURCE", "ECOSYSTEM"]);
    let libgcc = text.lines().find(|l| l.contains("libgcc-s1")).unwrap();
    let cols: Vec<&str> = libgcc.split_whitespace().collect();
    assert_eq!(
        cols,
        ["libgcc-s1", "12.2.0-14", "amd64", "gcc-12", "Debian:12"]
    );
    assert!(!text.contains("gone"));

    let file = dir.path().join("sbom.json");
    let out = palisade(&[
        "sbom",
        "-q",
        "-f",
        "json",
        "-o",
        file.to_str().unwrap(),
        &reference,
    ]);
    assert!(out.status.success());
    assert!(out.stdout.is_empty());
    let v: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(v["packages"].as_array().unwrap().len(), 2);
}

#[test]
fn bad_reference_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let missing = format!("oci:{}:latest", dir.path().join("nope").display());
    for reference in [missing.as_str(), "notascheme:::"] {
        let out = palisade(&["sbom", "-q", reference]);
        assert_eq!(out.status.code(), Some(2), "{reference}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.starts_with("palisade: error:"), "{err}");
    }
}
