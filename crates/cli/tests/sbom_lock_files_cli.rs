//! `palisade sbom dir:` and `palisade fs` on a root filesystem holding lock
//! files written by the real tools (crates/catalog/tests/fixtures): an
//! `npm install --omit=dev` with npm's hidden lock file, and a `uv.lock`.
//! The packages appear in the inventory, and `fs` matches them against the
//! bundled demo database.

use serde_json::Value;
use std::path::Path;
use std::process::Command;

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn rootfs() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let fixtures = Path::new(ROOT).join("crates/catalog/tests/fixtures");
    copy_dir(&fixtures.join("npm/app"), &dir.path().join("srv/webapp"));
    copy_dir(&fixtures.join("uv/app"), &dir.path().join("srv/pyapp"));
    dir
}

#[test]
fn sbom_and_fs_see_the_hidden_lock_file_and_uv_lock() {
    let dir = rootfs();
    let out = Command::new(env!("CARGO_BIN_EXE_palisade"))
        .args(["sbom", "-q", "-f", "json"])
        .arg(format!("dir:{}", dir.path().display()))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let got: Vec<(&str, &str, &str)> = v["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap(),
                p["version"].as_str().unwrap(),
                p["locations"][0]["path"].as_str().unwrap(),
            )
        })
        .collect();
    let uv = "/srv/pyapp/uv.lock";
    assert_eq!(
        got,
        [
            ("certifi", "2026.10.19.post1", uv),
            ("charset-normalizer", "3.5.3", uv),
            ("idna", "3.21", uv),
            ("requests", "2.31.0", uv),
            ("six", "1.16.0", uv),
            ("urllib3", "2.8.0", uv),
            (
                "debug",
                "2.6.9",
                "/srv/webapp/node_modules/debug/package.json"
            ),
            (
                "ms",
                "2.0.0",
                "/srv/webapp/node_modules/debug/node_modules/ms/package.json"
            ),
            ("ms", "2.1.3", "/srv/webapp/node_modules/ms/package.json"),
        ]
    );
    assert_eq!(v["warnings"], serde_json::json!([]));

    let out = Command::new(env!("CARGO_BIN_EXE_palisade"))
        .args(["fs", "-q", "-f", "json", "--scanners", "vuln", "--db"])
        .arg(format!("{ROOT}/demo/vuln-demo.db"))
        .arg(dir.path())
        .env_remove("PALISADE_IGNORE_FILE")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let found: Vec<(&str, &str)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap(),
                f["location"]["path"].as_str().unwrap(),
            )
        })
        .collect();
    assert!(found.contains(&("CVE-2024-35195", uv)), "{found:?}");
}
