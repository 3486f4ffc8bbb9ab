//! The rpm cataloger: a header written by the real rpm (4.18, `rpmbuild`
//! and `rpm -i --justdb`, kept as `fixtures/rpm-tiny.hdr`), SQLite
//! databases built here in rpm's schema and WAL mode, hostile databases,
//! and (with `PALISADE_IMAGES`) the rpm-minimal benchmark image.

use palisade_catalog::rpm::header::{self, builder};
use palisade_catalog::{Sbom, analyzers, build};
use palisade_image::{Analyzer, ImageRef, OpenOptions, WalkOptions, open, walk};
use palisade_testsupport::{ImageSpec, Layer, write_oci};
use std::collections::BTreeSet;
use std::path::PathBuf;

const TINY: &[u8] = include_bytes!("fixtures/rpm-tiny.hdr");

const ROCKY_OS_RELEASE: &[u8] = b"NAME=\"Rocky Linux\"\nVERSION=\"8.5 (Green Obsidian)\"\nID=\"rocky\"\nID_LIKE=\"rhel centos fedora\"\nVERSION_ID=\"8.5\"\nPRETTY_NAME=\"Rocky Linux 8.5 (Green Obsidian)\"\n";

fn sbom_of(layout_dir: &std::path::Path) -> Sbom {
    let reference = ImageRef::parse(&format!("oci:{}:latest", layout_dir.display())).unwrap();
    let image = open(&reference, &OpenOptions::default()).unwrap();
    let boxed = analyzers();
    let list: Vec<&dyn Analyzer> = boxed.iter().map(|a| a.as_ref()).collect();
    let scan = walk(&image, &list, &WalkOptions::default()).unwrap();
    build(&scan, 0)
}

fn sbom(spec: &ImageSpec) -> Sbom {
    let dir = tempfile::tempdir().unwrap();
    let layout = dir.path().join("oci");
    write_oci(&layout, spec, "latest");
    sbom_of(&layout)
}

/// An `rpmdb.sqlite` in rpm's schema and journal mode holding `blobs`.
fn rpmdb(blobs: &[Vec<u8>]) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rpmdb.sqlite");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        let mode: String = conn
            .query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        conn.execute_batch(
            "CREATE TABLE 'Packages' (hnum INTEGER PRIMARY KEY AUTOINCREMENT,blob BLOB NOT NULL);
             CREATE TABLE 'Name' (key 'TEXT' NOT NULL, hnum INTEGER NOT NULL, idx INTEGER NOT NULL);",
        )
        .unwrap();
        for b in blobs {
            conn.execute("INSERT INTO Packages (blob) VALUES (?1)", [b])
                .unwrap();
        }
    }
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(bytes[18], 2, "the database should be in WAL mode");
    bytes
}

#[test]
fn header_written_by_rpm() {
    let h = header::parse(TINY).unwrap();
    assert_eq!(
        (
            h.name.as_str(),
            h.epoch,
            h.version.as_str(),
            h.release.as_str()
        ),
        ("tiny", Some(2), "1.0", "3.el9")
    );
    assert_eq!(h.arch.as_deref(), Some("x86_64"));
    assert_eq!(h.license.as_deref(), Some("MIT and BSD"));
    assert_eq!(h.source_rpm.as_deref(), Some("tinysrc-1.0-3.el9.src.rpm"));
    assert_eq!(
        h.files,
        ["/etc/tiny", "/etc/tiny/tiny.conf", "/usr/bin/tiny"]
    );
    // Every truncation is an error, never a panic.
    for n in 0..TINY.len() {
        let _ = header::parse(&TINY[..n]);
    }
}

/// An `rpmdb.sqlite` and its `-wal` as rpm leaves them while the database
/// is open: `checkpointed` rows in the database file, `logged` rows only in
/// the write-ahead log (both files copied before the connection closes,
/// which would checkpoint them).
fn rpmdb_with_wal(checkpointed: &[Vec<u8>], logged: &[Vec<u8>]) -> (Vec<u8>, Vec<u8>) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rpmdb.sqlite");
    std::fs::write(&path, rpmdb(checkpointed)).unwrap();
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch("PRAGMA wal_autocheckpoint = 0").unwrap();
    for b in logged {
        conn.execute("INSERT INTO Packages (blob) VALUES (?1)", [b])
            .unwrap();
    }
    let db = std::fs::read(&path).unwrap();
    let wal = std::fs::read(dir.path().join("rpmdb.sqlite-wal")).unwrap();
    drop(conn);
    (db, wal)
}

#[test]
fn rows_only_in_the_wal_are_read() {
    use palisade_catalog::rpm::{RpmFile, read_sqlite, read_sqlite_with_wal};
    let sudo = builder::package("sudo", None, "1.8.29", "7.el8_4.1").build();
    let (db, wal) = rpmdb_with_wal(&[TINY.to_vec()], &[sudo]);
    assert!(wal.len() > 32, "the insert should be in the WAL only");
    let names = |f: RpmFile| match f {
        RpmFile::Packages { packages, warnings } => {
            assert!(warnings.is_empty(), "{warnings:?}");
            packages.into_iter().map(|p| p.name).collect::<Vec<_>>()
        }
        other => panic!("{other:?}"),
    };
    assert_eq!(names(read_sqlite(&db)), ["tiny"]);
    assert_eq!(names(read_sqlite_with_wal(&db, &wal)), ["tiny", "sudo"]);

    // In an image: the WAL in the same layer, or written by a later layer.
    let base = || {
        Layer::new()
            .file("usr/lib/os-release", ROCKY_OS_RELEASE)
            .symlink("etc/os-release", "../usr/lib/os-release")
            .dir("var/lib/rpm")
            .file("var/lib/rpm/rpmdb.sqlite", &db)
    };
    for spec in [
        ImageSpec::new(vec![base().file("var/lib/rpm/rpmdb.sqlite-wal", &wal)]),
        ImageSpec::new(vec![
            base(),
            Layer::new().file("var/lib/rpm/rpmdb.sqlite-wal", &wal),
        ]),
    ] {
        let s = sbom(&spec);
        assert!(s.warnings.is_empty(), "{:?}", s.warnings);
        let got: Vec<&str> = s.packages.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(got, ["sudo", "tiny"]);
        assert!(
            s.packages
                .iter()
                .all(|p| p.locations[0].path == "/var/lib/rpm/rpmdb.sqlite")
        );
    }

    // A damaged WAL is one warning; a WAL deleted by a later layer is not read.
    let mut bad = wal.clone();
    bad[..4].copy_from_slice(b"junk");
    let s = sbom(&ImageSpec::new(vec![
        base().file("var/lib/rpm/rpmdb.sqlite-wal", &bad),
    ]));
    let got: Vec<&str> = s.packages.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(got, ["tiny"]);
    assert_eq!(s.warnings.len(), 1, "{:?}", s.warnings);
    assert!(
        s.warnings[0].starts_with("/var/lib/rpm/rpmdb.sqlite-wal: not read (with its -wal file: not an SQLite write-ahead log"),
        "{:?}",
        s.warnings
    );
    let s = sbom(&ImageSpec::new(vec![
        base().file("var/lib/rpm/rpmdb.sqlite-wal", &wal),
        Layer::new().whiteout("var/lib/rpm/rpmdb.sqlite-wal"),
    ]));
    let got: Vec<&str> = s.packages.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(got, ["tiny"]);
}

/// A Python distribution (or a Go binary) that an rpm package installed
/// is reported once, as the rpm package; an unowned one is still reported.
#[test]
fn rpm_owned_language_packages_are_not_reported_again() {
    let owned = "usr/lib/python3.9/site-packages/six-1.15.0.dist-info/METADATA";
    let six = builder::package("python3-six", None, "1.15.0", "2.el9")
        .int32s(header::TAG_DIRINDEXES, &[0, 1])
        .strings(header::TAG_BASENAMES, &["six-1.15.0.dist-info", "METADATA"])
        .strings(
            header::TAG_DIRNAMES,
            &[
                "/usr/lib/python3.9/site-packages/",
                "/usr/lib/python3.9/site-packages/six-1.15.0.dist-info/",
            ],
        )
        .build();
    let db = rpmdb(&[six]);
    let s = sbom(&ImageSpec::new(vec![
        Layer::new()
            .file("usr/lib/os-release", ROCKY_OS_RELEASE)
            .file("var/lib/rpm/rpmdb.sqlite", &db)
            .file(
                owned,
                b"Metadata-Version: 2.1\nName: six\nVersion: 1.15.0\n",
            )
            .file(
                "usr/local/lib/python3.9/site-packages/foo-1.0.dist-info/METADATA",
                b"Metadata-Version: 2.1\nName: foo\nVersion: 1.0\n",
            ),
    ]));
    assert!(s.warnings.is_empty(), "{:?}", s.warnings);
    let got: Vec<(&str, &str)> = s
        .packages
        .iter()
        .map(|p| (p.name.as_str(), p.ecosystem.as_str()))
        .collect();
    assert_eq!(got, [("foo", "PyPI"), ("python3-six", "Rocky Linux:8")]);
    assert!(s.packages[1].files.contains(&format!("/{owned}")));
}

#[test]
fn sqlite_database_in_an_image() {
    let sudo = builder::package("sudo", None, "1.8.29", "7.el8_4.1")
        .int32s(header::TAG_DIRINDEXES, &[0])
        .strings(header::TAG_BASENAMES, &["sudo"])
        .strings(header::TAG_DIRNAMES, &["/usr/bin/"])
        .build();
    let corrupt = vec![0, 0, 0, 1, 0, 0, 0, 0];
    let db = rpmdb(&[TINY.to_vec(), corrupt, sudo]);
    let s = sbom(&ImageSpec::new(vec![
        Layer::new()
            .file("usr/lib/os-release", ROCKY_OS_RELEASE)
            .symlink("etc/os-release", "../usr/lib/os-release")
            .dir("var/lib/rpm")
            .file("var/lib/rpm/rpmdb.sqlite", &db),
    ]));
    assert_eq!(s.packages.len(), 2, "{:#?}", s.packages);
    let tiny = s.packages.iter().find(|p| p.name == "tiny").unwrap();
    assert_eq!(tiny.version, "2:1.0-3.el9");
    assert_eq!(tiny.ecosystem, "Rocky Linux:8");
    assert_eq!(
        tiny.purl,
        "pkg:rpm/rocky/tiny@1.0-3.el9?arch=x86_64&distro=rocky-8.5&epoch=2"
    );
    assert_eq!(tiny.source_name.as_deref(), Some("tinysrc"));
    assert_eq!(tiny.source_version.as_deref(), Some("1.0-3.el9"));
    assert_eq!(tiny.licenses, ["MIT and BSD"]);
    assert_eq!(tiny.locations[0].path, "/var/lib/rpm/rpmdb.sqlite");
    let sudo = s.packages.iter().find(|p| p.name == "sudo").unwrap();
    assert_eq!(sudo.version, "1.8.29-7.el8_4.1");
    assert_eq!(
        sudo.purl,
        "pkg:rpm/rocky/sudo@1.8.29-7.el8_4.1?arch=x86_64&distro=rocky-8.5"
    );
    assert_eq!(sudo.files, ["/usr/bin/sudo"]);
    assert_eq!(s.warnings.len(), 1, "{:?}", s.warnings);
    assert!(
        s.warnings[0].starts_with("/var/lib/rpm/rpmdb.sqlite: package header 2: "),
        "{:?}",
        s.warnings
    );
}

#[test]
fn corrupt_database_is_one_warning() {
    let mut db = rpmdb(&[TINY.to_vec()]);
    db.truncate(db.len() / 2 + 7);
    for (path, content) in [
        ("usr/lib/sysimage/rpm/rpmdb.sqlite", db),
        (
            "var/lib/rpm/rpmdb.sqlite",
            b"SQLite format 3\0 not really".to_vec(),
        ),
    ] {
        let s = sbom(&ImageSpec::new(vec![
            Layer::new()
                .file("usr/lib/os-release", ROCKY_OS_RELEASE)
                .file(path, &content)
                .file(
                    "usr/lib/python3.9/site-packages/foo-1.0.dist-info/METADATA",
                    b"Metadata-Version: 2.1\nName: foo\nVersion: 1.0\n",
                ),
        ]));
        assert_eq!(s.warnings.len(), 1, "{path}: {:?}", s.warnings);
        assert!(
            s.warnings[0].starts_with(&format!("/{path}: unreadable rpm database: ")),
            "{:?}",
            s.warnings
        );
        let names: Vec<&str> = s.packages.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["foo"], "{path}");
    }
}

/// `NAME EPOCH:VERSION-RELEASE ARCH SOURCERPM LICENSE` per package, as
/// the fixtures' `*.rpm-qa.txt` (written by rpm itself) list them.
fn rpm_qa_lines(s: &Sbom) -> Vec<String> {
    let mut lines: Vec<String> = s
        .packages
        .iter()
        .map(|p| {
            let evr = if p.version.contains(':') {
                p.version.clone()
            } else {
                format!("0:{}", p.version)
            };
            format!(
                "{} {evr} {} {}-{}.src.rpm {}",
                p.name,
                p.arch.as_deref().unwrap_or(""),
                p.source_name.as_deref().unwrap_or(""),
                p.source_version.as_deref().unwrap_or(""),
                p.licenses.join(" ")
            )
        })
        .collect();
    lines.sort();
    lines
}

fn fixture_lines(name: &str) -> Vec<String> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/rpmdb")
        .join(name);
    let mut lines: Vec<String> = std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    lines.sort();
    lines
}

const BDB: &[u8] = include_bytes!("fixtures/rpmdb/bdb-Packages");
const NDB: &[u8] = include_bytes!("fixtures/rpmdb/ndb-Packages.db");

/// A Berkeley DB `Packages` written by Berkeley DB 5.3 and read back by
/// rpm 4.18's bdb_ro backend (fixtures/rpmdb/make.sh): same packages.
#[test]
fn berkeley_db_equals_rpm_qa() {
    let s = sbom(&ImageSpec::new(vec![
        Layer::new()
            .file("usr/lib/os-release", ROCKY_OS_RELEASE)
            .file("var/lib/rpm/Packages", BDB),
    ]));
    assert!(s.warnings.is_empty(), "{:?}", s.warnings);
    assert_eq!(rpm_qa_lines(&s), fixture_lines("bdb.rpm-qa.txt"));
    // kernel-headers' header spans a chain of overflow pages.
    let k = s
        .packages
        .iter()
        .find(|p| p.name == "kernel-headers")
        .unwrap();
    assert_eq!(k.files.len(), 401, "the directory and its 400 files");
    assert_eq!(k.locations[0].path, "/var/lib/rpm/Packages");
}

/// An ndb `Packages.db` written by rpm's own ndb code, one package
/// deleted (make.sh): the remaining packages, as rpm lists them.
#[test]
fn ndb_equals_rpm_qa() {
    let s = sbom(&ImageSpec::new(vec![
        Layer::new()
            .file("usr/lib/os-release", ROCKY_OS_RELEASE)
            .file("usr/lib/sysimage/rpm/Packages.db", NDB),
    ]));
    assert!(s.warnings.is_empty(), "{:?}", s.warnings);
    assert_eq!(rpm_qa_lines(&s), fixture_lines("ndb.rpm-qa.txt"));
}

/// Every truncation and every single-byte corruption of both fixtures:
/// no panic, never more packages than the database holds, and for ndb
/// (whose blobs carry a checksum) never a package that is not in it.
#[test]
fn damaged_bdb_and_ndb_never_panic() {
    use palisade_catalog::rpm::{RpmFile, read_bdb, read_ndb};
    for (db, read, names) in [
        (
            BDB,
            read_bdb as fn(&[u8]) -> RpmFile,
            ["basesystem", "kernel-headers", "openssl-libs", "zlib"].as_slice(),
        ),
        (
            NDB,
            read_ndb,
            ["basesystem", "openssl-libs", "zlib"].as_slice(),
        ),
    ] {
        let checksummed = std::ptr::eq(db, NDB);
        let check = |bytes: &[u8]| {
            if let RpmFile::Packages { packages, warnings } = read(bytes) {
                assert!(warnings.len() <= 41);
                assert!(packages.len() <= names.len());
                for p in packages.iter().filter(|_| checksummed) {
                    assert!(names.contains(&p.name.as_str()), "{}", p.name);
                }
            }
        };
        for n in (0..db.len()).step_by(97) {
            check(&db[..n]);
        }
        for i in (0..db.len()).step_by(13) {
            let mut bytes = db.to_vec();
            bytes[i] ^= 0xa5;
            check(&bytes);
        }
    }
}

/// A truncated file is a warning naming the file; the other catalogers
/// still run.
#[test]
fn truncated_bdb_is_a_warning() {
    let s = sbom(&ImageSpec::new(vec![
        Layer::new()
            .file("usr/lib/os-release", ROCKY_OS_RELEASE)
            .file("var/lib/rpm/Packages", &BDB[..100])
            .file(
                "usr/lib/python3.9/site-packages/foo-1.0.dist-info/METADATA",
                b"Metadata-Version: 2.1\nName: foo\nVersion: 1.0\n",
            ),
    ]));
    assert_eq!(s.warnings.len(), 1, "{:?}", s.warnings);
    assert!(
        s.warnings[0].starts_with("/var/lib/rpm/Packages: unreadable rpm database: Berkeley DB: "),
        "{:?}",
        s.warnings
    );
    assert_eq!(s.packages.len(), 1);
}

#[test]
fn unreadable_wal_is_a_warning() {
    let db = rpmdb(&[TINY.to_vec()]);
    let s = sbom(&ImageSpec::new(vec![
        Layer::new()
            .file("usr/lib/os-release", ROCKY_OS_RELEASE)
            .file("var/lib/rpm/rpmdb.sqlite", &db)
            .file("var/lib/rpm/rpmdb.sqlite-wal", &[1u8; 4096])
            .file("var/lib/rpm/rpmdb.sqlite-shm", &[0u8; 0]),
    ]));
    assert_eq!(s.packages.len(), 1);
    assert_eq!(s.warnings.len(), 1, "{:?}", s.warnings);
    assert!(
        s.warnings[0].starts_with("/var/lib/rpm/rpmdb.sqlite-wal: not read ("),
        "{:?}",
        s.warnings
    );
}

#[test]
fn rpm_directory_without_database_is_a_warning() {
    let s = sbom(&ImageSpec::new(vec![
        Layer::new()
            .file("usr/lib/os-release", ROCKY_OS_RELEASE)
            .dir("var/lib/rpm")
            .file("var/lib/rpm/Name", b"x"),
    ]));
    assert_eq!(s.warnings.len(), 1, "{:?}", s.warnings);
    assert!(s.warnings[0].starts_with("/var/lib/rpm: no rpm database file"));
}

/// rpm-minimal: exactly the packages of `meta/rpm-minimal.rpm.txt`
/// (`NAME EPOCH:VERSION-RELEASE ARCH SOURCERPM`, from `rpm -qa`), and
/// `/usr/bin/sudo` owned by `sudo`.
#[test]
fn rpm_minimal_matches_rpm_qa() {
    let Some(root) = std::env::var_os("PALISADE_IMAGES").map(PathBuf::from) else {
        eprintln!(
            "SKIPPED: set PALISADE_IMAGES to a directory made by tools/make-images.sh (e.g. /work/images) to run the acceptance tests"
        );
        return;
    };
    let name = "rpm-minimal";
    if !root.join("meta").join(format!("{name}.done")).exists() {
        eprintln!("SKIPPED {name}: no meta/{name}.done (unfinished build)");
        return;
    }
    let expected: BTreeSet<String> =
        std::fs::read_to_string(root.join("meta").join(format!("{name}.rpm.txt")))
            .unwrap()
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(str::to_string)
            .collect();
    let s = sbom_of(&root.join("oci").join(name));
    let found: BTreeSet<String> = s
        .packages
        .iter()
        .filter(|p| p.purl.starts_with("pkg:rpm/"))
        .map(|p| {
            let evr = if p.version.contains(':') {
                p.version.clone()
            } else {
                format!("0:{}", p.version)
            };
            format!(
                "{} {evr} {} {}-{}.src.rpm",
                p.name,
                p.arch.as_deref().unwrap_or(""),
                p.source_name.as_deref().unwrap_or(""),
                p.source_version.as_deref().unwrap_or("")
            )
        })
        .collect();
    assert_eq!(found, expected);
    assert_eq!(expected.len(), 11);
    let owners: Vec<&str> = s
        .packages
        .iter()
        .filter(|p| p.files.iter().any(|f| f == "/usr/bin/sudo"))
        .map(|p| p.name.as_str())
        .collect();
    assert_eq!(owners, ["sudo"]);
    assert!(
        s.packages
            .iter()
            .all(|p| p.ecosystem == "Rocky Linux:8" && p.purl.contains("distro=rocky-8.5")),
        "{:#?}",
        s.packages
    );
    assert!(s.warnings.is_empty(), "{:?}", s.warnings);
    eprintln!("{name}: {} rpm packages as rpm -qa lists them", found.len());
}
