//! Import with a bounded memory budget: spilling sorted runs to disk gives
//! the same database, byte for byte, as holding everything in memory; the
//! newest `modified` of an id wins across runs; on the real osv.dev export
//! of crates.io (`../shared/vulndata` or `PALISADE_VULNDATA`) too.

use palisade_vulndb::{Builder, Db};
use std::path::{Path, PathBuf};

fn doc(id: &str, modified: &str, pkg: &str, fixed: &str) -> String {
    format!(
        r#"{{"id":"{id}","modified":"{modified}","aliases":["CVE-{id}"],
        "affected":[{{"package":{{"ecosystem":"PyPI","name":"{pkg}"}},
        "ranges":[{{"type":"ECOSYSTEM","events":[{{"introduced":"0"}},{{"fixed":"{fixed}"}}]}}]}}]}}"#
    )
}

fn build(inputs: &[&Path], budget: usize, out: &Path) -> (Vec<u8>, usize) {
    let mut b = Builder::with_budget(budget);
    for p in inputs {
        b.import_path(p).unwrap();
    }
    let runs = b.spilled_runs();
    b.write(out, 7).unwrap();
    (std::fs::read(out).unwrap(), runs)
}

#[test]
fn spilled_runs_give_the_same_database() {
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("docs");
    std::fs::create_dir(&docs).unwrap();
    // A-1 three times: the 2024 version must win whatever run it lands in.
    let files = [
        (
            "a1.json",
            doc("A-1", "2023-01-01T00:00:00Z", "Foo_Bar", "1.0"),
        ),
        (
            "b.json",
            doc("B-1", "2023-01-01T00:00:00Z", "foo-bar", "2.0"),
        ),
        ("c.json", doc("C-1", "2023-01-01T00:00:00Z", "zzz", "3.0")),
        (
            "d/a1-new.json",
            doc("A-1", "2024-01-01T00:00:00Z", "foo.bar", "1.5"),
        ),
        (
            "e/a1-old.json",
            doc("A-1", "2022-01-01T00:00:00Z", "foo-bar", "0.5"),
        ),
    ];
    for (name, text) in &files {
        let p = docs.join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    let (whole, runs) = build(&[&docs], usize::MAX, &dir.path().join("a.db"));
    assert_eq!(runs, 0);
    let (spilled, runs) = build(&[&docs], 1, &dir.path().join("b.db"));
    assert_eq!(runs, 5, "one run per document with a 1-byte budget");
    assert_eq!(whole, spilled);
    let db = Db::open(&dir.path().join("b.db")).unwrap();
    let recs = db.query("PyPI", "foo-bar").unwrap();
    let ids: Vec<&str> = recs.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, ["A-1", "B-1"]);
    assert_eq!(recs[0].modified.as_deref(), Some("2024-01-01T00:00:00Z"));
    assert_eq!(db.meta.ecosystems["PyPI"].records, 3);
    assert_eq!(db.meta.ecosystems["PyPI"].packages, 2);
}

fn vulndata() -> Option<PathBuf> {
    palisade_testsupport::vulndata("crates.io/all.zip")
}

#[test]
fn real_export_spilled_or_not_is_identical() {
    let Some(data) = vulndata() else { return };
    let zip = data.join("crates.io/all.zip");
    let dir = tempfile::tempdir().unwrap();
    let (whole, runs) = build(&[&zip], usize::MAX, &dir.path().join("a.db"));
    assert_eq!(runs, 0);
    let (spilled, runs) = build(&[&zip], 256 << 10, &dir.path().join("b.db"));
    assert!(runs >= 4, "only {runs} runs");
    assert!(whole == spilled, "spilled import differs");
    let db = Db::open(&dir.path().join("b.db")).unwrap();
    assert!(db.meta.ecosystems["crates.io"].records > 1000);
    let smallvec = db.query("crates.io", "smallvec").unwrap();
    assert!(
        smallvec
            .iter()
            .any(|r| r.aliases.iter().any(|a| a == "CVE-2021-25900"))
    );
}
