#![no_main]
//! A vulnerability database file (possibly damaged or hostile): open it and
//! read every package; errors are fine, panics and huge allocations are not.
use libfuzzer_sys::fuzz_target;
use palisade_vulndb::Db;
use std::sync::OnceLock;

fuzz_target!(|data: &[u8]| {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    let dir = DIR.get_or_init(|| tempfile::tempdir().expect("tempdir"));
    let path = dir.path().join("fuzz.db");
    std::fs::write(&path, data).expect("write");
    if let Ok(db) = Db::open(&path) {
        let keys: Vec<_> = db.keys().take(64).collect();
        for (eco, name) in keys {
            let _ = db.query(&eco, &name);
        }
        let _ = db.query("PyPI", "requests");
    }
});
