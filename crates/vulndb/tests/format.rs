//! The database file: round trip, and every kind of damage refused with a
//! clear message (never a panic).

use palisade_vulndb::format::{self, Db, DbError, Meta};
use palisade_vulndb::record::{Affected, Event, Range, Record};
use std::collections::BTreeMap;
use std::path::Path;

fn record(id: &str, eco: &str, name: &str) -> Record {
    Record {
        id: id.to_string(),
        aliases: vec![format!("CVE-{id}")],
        upstream: vec![],
        summary: Some("s".into()),
        severity: vec![],
        database_severity: Some("HIGH".into()),
        modified: None,
        published: None,
        affected: vec![Affected {
            ecosystem: eco.to_string(),
            name: name.to_string(),
            ranges: vec![Range {
                kind: "ECOSYSTEM".into(),
                events: vec![Event::Introduced("0".into()), Event::Fixed("2.0".into())],
            }],
            versions: vec![],
            severity: vec![],
            urgency: None,
            entry_severity: None,
            informational: None,
        }],
    }
}

fn build(path: &Path) {
    let mut pk = BTreeMap::new();
    for (eco, name) in [
        ("Debian:12", "openssl"),
        ("PyPI", "requests"),
        ("PyPI", "urllib3"),
        ("npm", "@scope/x"),
    ] {
        pk.insert(
            (eco.to_string(), name.to_string()),
            vec![record(&format!("ID-{name}"), eco, name)],
        );
    }
    format::write(
        path,
        &Meta {
            built: 42,
            ..Meta::default()
        },
        &pk,
    )
    .unwrap();
}

#[test]
fn round_trip_and_lookup() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("vuln.db");
    build(&p);
    let db = Db::open(&p).unwrap();
    assert_eq!(db.len(), 4);
    assert_eq!(db.meta.built, 42);
    let r = db.query("PyPI", "requests").unwrap();
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].id, "ID-requests");
    assert!(db.query("PyPI", "nope").unwrap().is_empty());
    assert!(db.query("PyPI2", "requests").unwrap().is_empty());
    assert_eq!(db.query("npm", "@scope/x").unwrap()[0].id, "ID-@scope/x");
    // No temporary file is left next to it.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

fn open_err(bytes: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("bad.db");
    std::fs::write(&p, bytes).unwrap();
    match Db::open(&p) {
        Ok(db) => {
            // Blob damage shows on the read.
            let mut errs = Vec::new();
            for (e, n) in db.keys().collect::<Vec<_>>() {
                if let Err(x) = db.query(&e, &n) {
                    errs.push(x.to_string());
                }
            }
            errs.join("; ")
        }
        Err(e) => e.to_string(),
    }
}

#[test]
fn damage_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("vuln.db");
    build(&p);
    let good = std::fs::read(&p).unwrap();
    // Half-written: every truncation is refused.
    for cut in [0, 10, good.len() / 2, good.len() - 1] {
        let e = open_err(&good[..cut]);
        assert!(e.contains("damaged or incomplete"), "cut {cut}: {e}");
    }
    // One flipped byte anywhere is detected, in the header, a blob, the index or the trailer.
    for at in (0..good.len()).step_by(7) {
        let mut b = good.clone();
        b[at] ^= 0x40;
        let e = open_err(&b);
        assert!(!e.is_empty(), "flip at {at} not detected");
        assert!(e.contains("bad.db"), "message names the file: {e}");
    }
    // Another format version.
    let mut b = good.clone();
    b[16] = 9;
    assert!(open_err(&b).contains("format version 9"));
    // A version-2 file (no `informational` field) is refused with the way out.
    b[16] = 2;
    let e = open_err(&b);
    assert!(
        e.contains("format version 2") && e.contains("re-import"),
        "{e}"
    );
    // Not a database at all.
    assert!(open_err(b"PK\x03\x04 this is a zip").contains("damaged"));
}

#[test]
fn missing_file_is_an_io_error() {
    let e = Db::open(Path::new("/nonexistent/vuln.db")).unwrap_err();
    assert!(matches!(e, DbError::Io { .. }));
}
