//! `palisade db update|import|info` end to end: `db update` against a small
//! HTTP server on 127.0.0.1 serving the real osv.dev zips of
//! `../shared/vulndata` (or `PALISADE_VULNDATA`) with Range support, an
//! interrupted download resumed with a Range request, and damaged
//! databases refused.

use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};

fn palisade(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_palisade"))
        .args(args)
        .env_remove("PALISADE_DB")
        .env_remove("PALISADE_DB_MIRROR")
        .output()
        .unwrap()
}

fn vulndata() -> Option<PathBuf> {
    palisade_testsupport::vulndata("crates.io/all.zip")
}

/// What the server saw: (path, Range header) per request.
type Log = Arc<Mutex<Vec<(String, Option<String>)>>>;

/// Serves `<root>/<ECOSYSTEM>/all.zip`. With `cut_first`, the first
/// response for each path announces the full length but stops halfway.
fn serve(root: PathBuf, cut_first: bool) -> (String, Log) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let log: Log = Arc::default();
    let seen = log.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            let path = line.split(' ').nth(1).unwrap_or("/").to_string();
            let mut range = None;
            loop {
                let mut h = String::new();
                if reader.read_line(&mut h).unwrap() <= 2 {
                    break;
                }
                if let Some(v) = h.to_ascii_lowercase().strip_prefix("range:") {
                    range = Some(v.trim().to_string());
                }
            }
            let first = !seen.lock().unwrap().iter().any(|(p, _)| *p == path);
            seen.lock().unwrap().push((path.clone(), range.clone()));
            let file = root.join(path.trim_start_matches('/'));
            let Ok(body) = std::fs::read(&file) else {
                let _ = stream.write_all(
                    b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                );
                continue;
            };
            let start: usize = range
                .as_deref()
                .and_then(|r| r.strip_prefix("bytes="))
                .and_then(|r| r.trim_end_matches('-').parse().ok())
                .unwrap_or(0);
            let head = if start > 0 {
                format!(
                    "HTTP/1.1 206 Partial Content\r\nContent-Length: {}\r\nContent-Range: bytes {start}-{}/{}\r\nConnection: close\r\n\r\n",
                    body.len() - start,
                    body.len() - 1,
                    body.len()
                )
            } else {
                format!(
                    "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                )
            };
            let _ = stream.write_all(head.as_bytes());
            let end = if cut_first && first {
                body.len() / 2
            } else {
                body.len()
            };
            let _ = stream.write_all(&body[start..end]);
        }
    });
    (url, log)
}

fn info(db: &Path) -> Value {
    let out = palisade(&["db", "info", "-f", "json", "--db", db.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn zip_entries(zip: &Path) -> u64 {
    // The central directory's entry count (end-of-central-directory record).
    let mut b = Vec::new();
    std::fs::File::open(zip)
        .unwrap()
        .read_to_end(&mut b)
        .unwrap();
    let eocd = (0..b.len() - 21)
        .rev()
        .find(|&i| b[i..i + 4] == *b"PK\x05\x06")
        .unwrap();
    u16::from_le_bytes([b[eocd + 10], b[eocd + 11]]) as u64
}

#[test]
fn update_from_a_mirror_then_info() {
    let Some(data) = vulndata() else { return };
    let (url, log) = serve(data.clone(), false);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("vuln.db");
    let out = palisade(&[
        "db",
        "update",
        "-q",
        "--mirror",
        &url,
        "--ecosystems",
        "crates.io,NuGet",
        "--db",
        db.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = info(&db);
    let sources = v["sources"].as_array().unwrap();
    assert_eq!(sources.len(), 2);
    for (s, eco) in sources.iter().zip(["crates.io", "NuGet"]) {
        assert_eq!(
            s["records"].as_u64().unwrap(),
            zip_entries(&data.join(eco).join("all.zip")),
            "{eco}"
        );
        assert_eq!(s["invalid"], 0);
    }
    assert!(v["ecosystems"]["crates.io"]["records"].as_u64().unwrap() > 1000);
    assert!(v["ecosystems"]["NuGet"]["packages"].as_u64().unwrap() > 100);
    assert_eq!(log.lock().unwrap().len(), 2);
    // No partial file is left.
    let leftovers: Vec<_> = std::fs::read_dir(dir.path().join("downloads"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".part"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn interrupted_download_resumes_with_range() {
    let Some(data) = vulndata() else { return };
    let (url, log) = serve(data, true);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("vuln.db");
    let args = [
        "db",
        "update",
        "-q",
        "--mirror",
        &url,
        "--ecosystems",
        "NuGet",
        "--db",
        db.to_str().unwrap(),
    ];
    let out = palisade(&args);
    assert_eq!(out.status.code(), Some(2), "the cut download must fail");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("resume") || err.contains("NuGet/all.zip"),
        "{err}"
    );
    assert!(!db.exists(), "no database from a partial download");
    let out = palisade(&args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let log = log.lock().unwrap();
    assert_eq!(log.len(), 2);
    assert!(
        log[1]
            .1
            .as_deref()
            .is_some_and(|r| r.starts_with("bytes=") && r != "bytes=0-"),
        "{log:?}"
    );
    assert!(
        info(&db)["ecosystems"]["NuGet"]["records"]
            .as_u64()
            .unwrap()
            > 100
    );
}

#[test]
fn damaged_or_missing_databases_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("vuln.db");
    let out = palisade(&["db", "info", "--db", db.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("palisade db update"));
    // A real (small) database, then cut in half.
    let doc = dir.path().join("GHSA-test.json");
    std::fs::write(
        &doc,
        r#"{"id":"GHSA-test","affected":[{"package":{"ecosystem":"PyPI","name":"requests"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"2.20.0"}]}]}]}"#,
    )
    .unwrap();
    let out = palisade(&[
        "db",
        "import",
        "-q",
        doc.to_str().unwrap(),
        "--db",
        db.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(info(&db)["ecosystems"]["PyPI"]["records"], 1);
    let bytes = std::fs::read(&db).unwrap();
    std::fs::write(&db, &bytes[..bytes.len() / 2]).unwrap();
    let out = palisade(&["db", "info", "--db", db.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("damaged or incomplete") && err.lines().count() == 1,
        "{err}"
    );
}
