//! The shared report flags (`commands/report_args.rs`) through the binary:
//! `image`, `fs`, `sbom-scan` and `sbom --vulns` apply the same ignore
//! file, OpenVEX document and `--fail-on`/`--exit-code` gate the same way,
//! and document each flag with the same help text. Inputs: the bundled
//! demo image and database (real OSV records), a directory holding the
//! same three vulnerable packages, and palisade's own CycloneDX SBOM of
//! the demo image.

use serde_json::Value;
use std::path::Path;
use std::process::Command;

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

fn demo() -> String {
    format!("oci:{ROOT}/demo/image:latest")
}

fn db() -> String {
    format!("{ROOT}/demo/vuln-demo.db")
}

fn palisade(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_palisade"))
        .args(args)
        .env_remove("PALISADE_IGNORE_FILE")
        .output()
        .unwrap()
}

/// A directory with requests 2.19.1 (Python), minimist 0.0.8 and lodash
/// 4.17.4 (npm), as in the demo image's fourth layer.
fn project(dir: &Path) -> String {
    let info = dir.join("app/requests-2.19.1.dist-info");
    std::fs::create_dir_all(&info).unwrap();
    std::fs::write(
        info.join("METADATA"),
        "Metadata-Version: 2.1\nName: requests\nVersion: 2.19.1\n",
    )
    .unwrap();
    for (name, version) in [("minimist", "0.0.8"), ("lodash", "4.17.4")] {
        let p = dir.join("app/node_modules").join(name);
        std::fs::create_dir_all(&p).unwrap();
        std::fs::write(
            p.join("package.json"),
            format!(r#"{{"name": "{name}", "version": "{version}"}}"#),
        )
        .unwrap();
    }
    dir.display().to_string()
}

/// The ignore file and VEX document every command gets: CVE-2018-18074
/// (requests) ignored through its GHSA alias, CVE-2021-44906 (minimist)
/// `fixed` by VEX.
fn suppressions(dir: &Path) -> (String, String) {
    let ignore = dir.join("ignore.toml");
    std::fs::write(
        &ignore,
        "[[ignore]]\nrule = \"GHSA-x84v-xcm2-53pg\"\nreason = \"no proxy credentials are sent\"\n",
    )
    .unwrap();
    let vex = dir.join("vex.json");
    std::fs::write(
        &vex,
        r#"{"@context": "https://openvex.dev/ns/v0.2.0", "@id": "https://example.com/vex/2",
  "author": "security team", "timestamp": "2026-12-01T00:00:00Z", "version": 1,
  "statements": [{"vulnerability": {"name": "CVE-2021-44906"},
    "products": [{"@id": "pkg:npm/minimist"}], "status": "fixed"}]}"#,
    )
    .unwrap();
    (ignore.display().to_string(), vex.display().to_string())
}

/// The vulnerability ids a command reported (JSON findings, or the
/// CycloneDX `vulnerabilities` of `sbom --vulns`).
fn ids(command: &str, stdout: &[u8]) -> Vec<String> {
    let v: Value = serde_json::from_slice(stdout).unwrap();
    // CycloneDX leaves out an empty `vulnerabilities`.
    let key = if command == "sbom" {
        "vulnerabilities"
    } else {
        "findings"
    };
    let list = v[key].as_array().cloned().unwrap_or_default();
    list.iter()
        .filter_map(|f| {
            let id = if command == "sbom" {
                &f["id"]
            } else {
                &f["rule"]
            };
            id.as_str().map(str::to_string)
        })
        .collect()
}

/// (command, its arguments before the flags under test, its input).
fn commands(dir: &Path) -> Vec<(&'static str, Vec<String>, String)> {
    let sbom = dir.join("demo.cdx.json");
    let out = palisade(&[
        "sbom",
        "-q",
        "-f",
        "cyclonedx",
        "-o",
        sbom.to_str().unwrap(),
        &demo(),
    ]);
    assert!(out.status.success(), "{out:?}");
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    vec![
        (
            "image",
            s(&["image", "-q", "--scanners", "vuln", "-f", "json"]),
            demo(),
        ),
        (
            "fs",
            s(&["fs", "-q", "--scanners", "vuln", "-f", "json"]),
            project(&dir.join("project")),
        ),
        (
            "sbom-scan",
            s(&["sbom-scan", "-f", "json"]),
            sbom.display().to_string(),
        ),
        (
            "sbom",
            s(&["sbom", "-q", "--vulns", "-f", "cyclonedx"]),
            demo(),
        ),
    ]
}

#[test]
fn ignore_file_vex_and_gate_apply_alike_in_every_command() {
    let dir = tempfile::tempdir().unwrap();
    let (ignore, vex) = suppressions(dir.path());
    let db = db();
    for (command, head, input) in commands(dir.path()) {
        // Without suppressions both are reported.
        let mut args: Vec<&str> = head.iter().map(String::as_str).collect();
        args.extend(["--db", &db, &input]);
        let out = palisade(&args);
        let all = ids(command, &out.stdout);
        for id in ["CVE-2018-18074", "CVE-2021-44906", "CVE-2019-10744"] {
            assert!(all.iter().any(|i| i == id), "{command}: {id} in {all:?}");
        }
        assert_eq!(out.status.code(), Some(0), "{command}: no gate, exit 0");

        // With them: neither is reported; lodash's CRITICAL CVE-2019-10744
        // stays and trips the gate with the chosen code.
        let mut args: Vec<&str> = head.iter().map(String::as_str).collect();
        args.extend([
            "--db",
            &db,
            "--ignore-file",
            &ignore,
            "--vex",
            &vex,
            "--fail-on",
            "CRITICAL",
            "--exit-code",
            "7",
            &input,
        ]);
        let out = palisade(&args);
        let kept = ids(command, &out.stdout);
        for id in ["CVE-2018-18074", "CVE-2021-44906"] {
            assert!(
                !kept.iter().any(|i| i == id),
                "{command}: {id} suppressed, yet in {kept:?}"
            );
        }
        assert!(kept.iter().any(|i| i == "CVE-2019-10744"), "{command}");
        assert_eq!(
            out.status.code(),
            Some(7),
            "{command}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn ignored_findings_never_trip_the_gate() {
    let dir = tempfile::tempdir().unwrap();
    let ignore = dir.path().join("all.toml");
    std::fs::write(
        &ignore,
        "[[ignore]]\nrule = \"*\"\nreason = \"accepted for the test\"\n",
    )
    .unwrap();
    let ignore = ignore.display().to_string();
    let db = db();
    for (command, head, input) in commands(dir.path()) {
        let mut args: Vec<&str> = head.iter().map(String::as_str).collect();
        args.extend([
            "--db",
            &db,
            "--ignore-file",
            &ignore,
            "--fail-on",
            "LOW",
            &input,
        ]);
        let out = palisade(&args);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{command}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(ids(command, &out.stdout).is_empty(), "{command}");
    }
}

#[test]
fn sbom_refuses_gate_flags_without_vulns() {
    let out = palisade(&["sbom", "-q", "--fail-on", "HIGH", &demo()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("add --vulns"));
}

/// The paragraph `--help` prints for `flag`: its line and the indented
/// lines up to the next flag.
fn help_of(command: &str, flag: &str) -> String {
    let out = palisade(&[command, "--help"]);
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let is_flag_line = |l: &str| {
        let t = l.trim_start();
        l.len() - t.len() <= 6 && t.starts_with('-')
    };
    let names = |l: &str, f: &str| {
        let t = l.trim_start();
        let t = t.split_once(", ").map_or(t, |(_, long)| long);
        t == f || t.starts_with(&format!("{f} "))
    };
    let mut lines = text
        .lines()
        .skip_while(|l| !(is_flag_line(l) && names(l, flag)));
    let first = lines
        .next()
        .unwrap_or_else(|| panic!("{command} --help has no {flag}"));
    let rest: Vec<&str> = lines.take_while(|l| !is_flag_line(l)).collect();
    format!("{first}\n{}", rest.join("\n"))
}

#[test]
fn one_help_text_per_flag() {
    for flag in [
        "--fail-on",
        "--exit-code",
        "--ignore-file",
        "--vex",
        "--severity",
        "--informational",
    ] {
        let image = help_of("image", flag);
        for command in ["fs", "sbom-scan", "sbom"] {
            assert_eq!(help_of(command, flag), image, "{command} {flag}");
        }
    }
    for flag in ["--format", "--output"] {
        let image = help_of("image", flag);
        for command in ["fs", "sbom-scan"] {
            assert_eq!(help_of(command, flag), image, "{command} {flag}");
        }
    }
}
