//! The harden library on synthetic images (testsupport), written as OCI
//! layouts and read back through the image crate: squash semantics
//! (whiteouts, hard links whose target goes), the top layer, removals,
//! determinism.

use palisade_harden::{Options, contents, harden};
use palisade_image::write::{Destination, WriteOptions, write};
use palisade_image::{EntryKind, Image, ImageRef, OpenOptions, Scan, WalkOptions, open, walk};
use palisade_testsupport::{ImageSpec, Layer, write_oci};
use serde_json::json;
use std::collections::BTreeSet;
use std::path::Path;

fn spec() -> ImageSpec {
    ImageSpec::new(vec![
        Layer::new()
            .file_mode("usr/bin/perl5.36", b"perl interpreter", 0o755)
            .hardlink("usr/bin/perl", "usr/bin/perl5.36")
            .file_mode("usr/bin/ping", b"ping", 0o4755)
            .file_mode("usr/bin/wall", b"wall", 0o2755)
            .file("etc/old.conf", b"old")
            .file("var/cache/apt/pkgcache.bin", &[1u8; 300]),
        Layer::new()
            .whiteout("etc/old.conf")
            .file_mode("usr/bin/wall", b"wall, rebuilt", 0o755)
            .file_mode("usr/bin/nc", b"nc", 0o755),
    ])
    .config(json!({"Cmd": ["/usr/bin/perl", "app.pl"]}))
}

fn open_walk(reference: &str) -> (Image, Scan) {
    let r = ImageRef::parse(reference).unwrap();
    let image = open(&r, &OpenOptions::default()).unwrap();
    let scan = walk(&image, &[], &WalkOptions::default()).unwrap();
    (image, scan)
}

/// Hardens `input` with `options` into `out`; returns the output read back.
fn run(input: &str, options: &Options, out: &Path) -> (Image, Scan) {
    let (image, scan) = open_walk(input);
    let hardened = harden(&image, &scan, options, None).unwrap();
    let dest = Destination::parse(&format!("oci:{}:h", out.display())).unwrap();
    write(&hardened.image, &dest, &WriteOptions::default()).unwrap();
    open_walk(&format!("oci:{}:h", out.display()))
}

fn content(image: &Image, scan: &Scan, path: &str) -> Vec<u8> {
    let node = scan.fs.get(path).unwrap();
    let wanted = BTreeSet::from([(node.layer, path.to_string())]);
    let dir = tempfile::tempdir().unwrap();
    let got = contents::fetch(image, scan, &wanted, dir.path()).unwrap();
    got.values().next().unwrap().head(1 << 20).unwrap()
}

#[test]
fn squash_keeps_a_link_whose_target_is_removed() {
    let dir = tempfile::tempdir().unwrap();
    write_oci(&dir.path().join("in"), &spec(), "v1");
    let input = format!("oci:{}:v1", dir.path().join("in").display());
    let options = Options {
        remove: vec!["perl5.36".into(), "nc".into()],
        squash: true,
        ..Options::default()
    };
    let (image, scan) = run(&input, &options, &dir.path().join("out"));
    assert_eq!(scan.layers.len(), 1);
    let fs = &scan.fs;
    assert!(fs.get("usr/bin/perl5.36").is_none());
    assert!(fs.get("usr/bin/nc").is_none());
    assert!(
        fs.get("etc/old.conf").is_none(),
        "deleted by the input's whiteout"
    );
    assert!(
        fs.get("var/cache/apt/pkgcache.bin").is_none(),
        "package cache"
    );
    let perl = fs.get("usr/bin/perl").unwrap();
    assert_eq!(perl.kind, EntryKind::File, "the link took over the content");
    assert_eq!(content(&image, &scan, "usr/bin/perl"), b"perl interpreter");
    assert_eq!(fs.get("usr/bin/ping").unwrap().mode & 0o7777, 0o755);
    assert_eq!(fs.get("usr/bin/wall").unwrap().mode & 0o7777, 0o755);
    assert_eq!(content(&image, &scan, "usr/bin/wall"), b"wall, rebuilt");
    assert!(scan.layers[0].whiteouts.is_empty());
}

#[test]
fn top_layer_readds_and_whites_out() {
    let dir = tempfile::tempdir().unwrap();
    write_oci(&dir.path().join("in"), &spec(), "v1");
    let input = format!("oci:{}:v1", dir.path().join("in").display());
    let (before, _) = open_walk(&input);
    let options = Options {
        remove: vec!["nc".into()],
        ..Options::default()
    };
    let (image, scan) = run(&input, &options, &dir.path().join("out"));
    assert_eq!(scan.layers.len(), 3);
    // The input's layers are the same blobs.
    for i in 0..2 {
        assert_eq!(image.layers[i].digest, before.layers[i].digest);
    }
    let top = &scan.layers[2];
    // The merged view owns the entries: ask it what the top layer provides.
    let names: Vec<&str> = scan
        .fs
        .iter()
        .filter(|(_, n)| n.layer == 2)
        .map(|(p, _)| p)
        .collect();
    assert_eq!(
        names,
        ["usr/bin/ping"],
        "only ping is setuid in the final filesystem"
    );
    assert_eq!(scan.fs.get("usr/bin/ping").unwrap().mode & 0o7777, 0o755);
    assert_eq!(content(&image, &scan, "usr/bin/ping"), b"ping");
    let whiteouts: Vec<String> = top.whiteouts.iter().map(|w| format!("{w:?}")).collect();
    assert_eq!(
        whiteouts,
        [
            r#"Path("usr/bin/nc")"#,
            r#"Path("var/cache/apt/pkgcache.bin")"#
        ]
    );
    let config: serde_json::Value = serde_json::from_slice(&image.config_raw).unwrap();
    assert_eq!(
        config["config"]["Labels"]["io.palisade.harden"],
        "setuid-stripped=1 removed=2 written=0"
    );
}

#[test]
fn refuses_to_remove_what_the_cmd_runs() {
    let dir = tempfile::tempdir().unwrap();
    write_oci(&dir.path().join("in"), &spec(), "v1");
    let (image, scan) = open_walk(&format!("oci:{}:v1", dir.path().join("in").display()));
    let options = Options {
        remove: vec!["perl".into()],
        ..Options::default()
    };
    let err = harden(&image, &scan, &options, None)
        .err()
        .unwrap()
        .to_string();
    assert!(
        err.contains("/usr/bin/perl is removed but the entrypoint/cmd runs it"),
        "{err}"
    );
}

#[test]
fn same_input_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    write_oci(&dir.path().join("in"), &spec(), "v1");
    let input = format!("oci:{}:v1", dir.path().join("in").display());
    for squash in [false, true] {
        let options = Options {
            squash,
            source_date_epoch: Some(1_700_000_000),
            ..Options::default()
        };
        let a = run(&input, &options, &dir.path().join(format!("a{squash}"))).0;
        let b = run(&input, &options, &dir.path().join(format!("b{squash}"))).0;
        assert_eq!(a.manifest_digest, b.manifest_digest);
        assert_eq!(a.config_raw, b.config_raw);
    }
}
