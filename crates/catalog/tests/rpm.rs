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

#[test]
fn berkeley_db_is_reported_as_missing() {
    let s = sbom(&ImageSpec::new(vec![
        Layer::new()
            .file("usr/lib/os-release", ROCKY_OS_RELEASE)
            .file("var/lib/rpm/Packages", b"\0\0\0\0"),
    ]));
    assert!(s.packages.is_empty());
    assert_eq!(s.warnings.len(), 1, "{:?}", s.warnings);
    assert!(s.warnings[0].contains(
        "/var/lib/rpm/Packages: Berkeley DB and ndb rpm databases are not cataloged yet"
    ));
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
