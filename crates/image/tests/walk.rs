//! The one-pass layer walk and the merged filesystem: overlay semantics,
//! links, hostile tars, compression, digest and diff-id verification,
//! limits, analyzers, per-layer change counts and dive's efficiency.

use palisade_image::fs::Removed;
use palisade_image::walk::Whiteout;
use palisade_image::{
    Analysis, Analyzer, EntryKind, FileRef, ImageError, ImageRef, Limits, Node, OpenOptions, Scan,
    WalkOptions, open, walk,
};
use palisade_testsupport::{
    Compression, ImageSpec, Layer, compress, sha256_hex, write_oci, write_oci_built,
};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

fn reference(dir: &Path) -> ImageRef {
    ImageRef::parse(&format!("oci:{}:t", dir.display())).unwrap()
}

fn try_scan_with(
    spec: &ImageSpec,
    analyzers: &[&dyn Analyzer],
    options: &WalkOptions<'_>,
) -> Result<Scan, ImageError> {
    let dir = tempfile::tempdir().unwrap();
    write_oci(dir.path(), spec, "t");
    scan_dir(dir.path(), analyzers, options)
}

fn scan_dir(
    dir: &Path,
    analyzers: &[&dyn Analyzer],
    options: &WalkOptions<'_>,
) -> Result<Scan, ImageError> {
    let image = open(&reference(dir), &OpenOptions::default())?;
    walk(&image, analyzers, options)
}

fn scan(layers: Vec<Layer>) -> Scan {
    try_scan_with(&ImageSpec::new(layers), &[], &WalkOptions::default()).expect("walk")
}

fn scan_err(spec: &ImageSpec) -> String {
    match try_scan_with(spec, &[], &WalkOptions::default()) {
        Ok(_) => panic!("the walk succeeded"),
        Err(e) => e.to_string(),
    }
}

fn node<'a>(s: &'a Scan, path: &str) -> &'a Node {
    s.fs.get(path)
        .unwrap_or_else(|| panic!("{path} is not in the final filesystem"))
}

fn paths(s: &Scan) -> Vec<String> {
    s.fs.iter().map(|(p, _)| p.to_string()).collect()
}

/// (path, removed_in, layer of the removed version), sorted.
fn removed(s: &Scan) -> Vec<(String, usize, usize)> {
    let mut v: Vec<_> =
        s.fs.removed()
            .iter()
            .map(|r: &Removed| (r.path.clone(), r.removed_in, r.node.layer))
            .collect();
    v.sort();
    v
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn removed_list(v: &[(&str, usize, usize)]) -> Vec<(String, usize, usize)> {
    let mut v: Vec<_> = v.iter().map(|(p, a, b)| (p.to_string(), *a, *b)).collect();
    v.sort();
    v
}

#[test]
fn special_mode_bits_and_owners_are_preserved() {
    let s = scan(vec![
        Layer::new()
            .dir("usr")
            .dir("usr/bin")
            .file_owned("usr/bin/su", b"su", 0o4755, 0, 0)
            .file_owned("usr/bin/wall", b"wall", 0o2755, 0, 5)
            .file_owned("usr/bin/both", b"b", 0o6711, 3, 4)
            .dir_mode("tmp", 0o1777)
            .file_owned("home/u/.profile", b"x", 0o600, 1000, 1001),
    ]);
    let su = node(&s, "usr/bin/su");
    assert_eq!(
        (su.kind, su.mode, su.uid, su.gid, su.size),
        (EntryKind::File, 0o4755, 0, 0, 2)
    );
    let wall = node(&s, "/usr/bin/wall");
    assert_eq!((wall.mode, wall.uid, wall.gid), (0o2755, 0, 5));
    let both = node(&s, "usr/bin/both");
    assert_eq!((both.mode, both.uid, both.gid), (0o6711, 3, 4));
    let tmp = node(&s, "tmp");
    assert_eq!((tmp.kind, tmp.mode), (EntryKind::Dir, 0o1777));
    let p = node(&s, "home/u/.profile");
    assert_eq!((p.mode, p.uid, p.gid), (0o600, 1000, 1001));
    // Parents never written as entries are not invented.
    assert!(s.fs.get("home").is_none());
    assert_eq!(
        paths(&s),
        strings(&[
            "home/u/.profile",
            "tmp",
            "usr",
            "usr/bin",
            "usr/bin/both",
            "usr/bin/su",
            "usr/bin/wall"
        ])
    );
}

#[test]
fn whiteouts_delete_a_file_and_a_directory_with_its_descendants() {
    let s = scan(vec![
        Layer::new()
            .dir("etc")
            .file("etc/a", b"aaa")
            .file("etc/b", b"b")
            .dir("opt")
            .dir("opt/d")
            .file("opt/d/x", b"xxxxx")
            .file("opt/d/y", b"yyyyyyy")
            .dir("opt/d/sub")
            .file("opt/d/sub/z", b"zzzzzzzzzzz")
            .file("opt/dz", b"not below opt/d"),
        Layer::new().whiteout("etc/a").whiteout("opt/d"),
    ]);
    assert_eq!(paths(&s), strings(&["etc", "etc/b", "opt", "opt/dz"]));
    assert_eq!(
        removed(&s),
        removed_list(&[
            ("etc/a", 1, 0),
            ("opt/d", 1, 0),
            ("opt/d/sub", 1, 0),
            ("opt/d/sub/z", 1, 0),
            ("opt/d/x", 1, 0),
            ("opt/d/y", 1, 0),
        ])
    );
    let z =
        s.fs.removed()
            .iter()
            .find(|r| r.path == "opt/d/sub/z")
            .unwrap();
    assert_eq!(
        (z.node.size, z.node.kind, z.node.added_in),
        (11, EntryKind::File, 0)
    );
    assert_eq!(
        s.layers[1].whiteouts,
        vec![
            Whiteout::Path("etc/a".into()),
            Whiteout::Path("opt/d".into())
        ]
    );
    assert!(s.layers[1].entries.is_empty());
    assert_eq!(s.changes[1].files_deleted, 6);
    assert_eq!(s.changes[1].files_added, 0);
    assert_eq!(s.changes[0].files_added, 10);
    // 3 + 5 + 7 + 11 bytes of layer 0 are hidden.
    assert_eq!(s.changes[0].wasted_bytes, 26);
}

#[test]
fn whiteout_of_a_missing_path_deletes_nothing() {
    let s = scan(vec![
        Layer::new().file("a", b"1"),
        Layer::new()
            .whiteout("nothing-here")
            .whiteout("dir/also-missing"),
    ]);
    assert_eq!(paths(&s), strings(&["a"]));
    assert!(s.fs.removed().is_empty());
    assert_eq!(s.changes[1].files_deleted, 0);
}

#[test]
fn opaque_directory_hides_lower_children_but_keeps_itself_and_same_layer_children() {
    let s = scan(vec![
        Layer::new()
            .dir("app")
            .file("app/old", b"oooo")
            .dir("app/cfg")
            .file("app/cfg/c", b"cc")
            .file("apple", b"sibling with a common prefix"),
        // The new child comes before the opaque marker in the tar: it must survive.
        Layer::new()
            .dir("app")
            .file("app/new", b"nnn")
            .opaque("app"),
        // An opaque directory without its own directory entry in the layer.
        Layer::new().file("app/newer", b"z").opaque("app"),
    ]);
    assert_eq!(paths(&s), strings(&["app", "app/newer", "apple"]));
    let app = node(&s, "app");
    assert_eq!((app.kind, app.added_in, app.layer), (EntryKind::Dir, 0, 1));
    assert_eq!(
        removed(&s),
        removed_list(&[
            ("app/cfg", 1, 0),
            ("app/cfg/c", 1, 0),
            ("app/old", 1, 0),
            ("app/new", 2, 1),
        ])
    );
    assert_eq!(s.layers[1].whiteouts, vec![Whiteout::Opaque("app".into())]);
    assert_eq!(s.changes[1].files_deleted, 3);
    assert_eq!(s.changes[2].files_deleted, 1);
    assert_eq!(s.changes[1].files_added, 1);
    assert_eq!(s.changes[0].wasted_bytes, 6);
    assert_eq!(s.changes[1].wasted_bytes, 3);
}

#[test]
fn non_directory_replacing_a_directory_deletes_what_was_below() {
    let s = scan(vec![
        Layer::new()
            .dir("x")
            .file("x/a", b"aaaaa")
            .dir("x/sub")
            .file("x/sub/b", b"bb")
            .file("y", b"yyyy"),
        Layer::new()
            .file("x", b"now a file")
            .dir("y")
            .file("y/inside", b"i"),
    ]);
    assert_eq!(paths(&s), strings(&["x", "y", "y/inside"]));
    let x = node(&s, "x");
    assert_eq!(
        (x.kind, x.size, x.layer, x.added_in),
        (EntryKind::File, 10, 1, 0)
    );
    assert_eq!(x.overwritten_in, vec![1]);
    let y = node(&s, "y");
    assert_eq!((y.kind, y.layer), (EntryKind::Dir, 1));
    assert_eq!(
        removed(&s),
        removed_list(&[("x/a", 1, 0), ("x/sub", 1, 0), ("x/sub/b", 1, 0)])
    );
    // x/a, x/sub, x/sub/b deleted; x and y modified; y/inside added.
    assert_eq!(s.changes[1].files_deleted, 3);
    assert_eq!(s.changes[1].files_modified, 2);
    assert_eq!(s.changes[1].files_added, 1);
    assert_eq!(s.changes[0].wasted_bytes, 5 + 2 + 4);
}

#[test]
fn path_re_added_after_deletion_starts_a_new_lifetime() {
    let s = scan(vec![
        Layer::new().file("f", b"a"),
        Layer::new().whiteout("f"),
        Layer::new().file("f", b"bb"),
    ]);
    let f = node(&s, "f");
    assert_eq!((f.layer, f.added_in, f.size), (2, 2, 2));
    assert!(f.overwritten_in.is_empty());
    assert_eq!(removed(&s), removed_list(&[("f", 1, 0)]));
    assert_eq!(s.changes[2].files_added, 1);
    assert_eq!(s.changes[2].files_modified, 0);
    // f: 1 byte, then a file whiteout (0), then 2 bytes.
    let eff = s.fs.efficiency();
    assert_eq!(eff.wasted_bytes, 3);
    assert_eq!(eff.score, 0.0);
    assert_eq!(eff.inefficient.len(), 1);
    assert_eq!(
        (
            eff.inefficient[0].path.as_str(),
            eff.inefficient[0].occurrences,
            eff.inefficient[0].total_bytes
        ),
        ("f", 3, 3)
    );
}

#[test]
fn overwritten_in_lists_every_later_writer() {
    let s = scan(vec![
        Layer::new().dir("d").file("d/g", b"0"),
        Layer::new().file("d/g", b"11"),
        Layer::new().file("other", b"x"),
        Layer::new().file("d/g", b"333").dir_mode("d", 0o700),
    ]);
    let g = node(&s, "d/g");
    assert_eq!((g.layer, g.added_in, g.size), (3, 0, 3));
    assert_eq!(g.overwritten_in, vec![1, 3]);
    // A directory repeated with a new mode counts as modified in that layer only.
    let d = node(&s, "d");
    assert_eq!((d.mode, d.layer, d.added_in), (0o700, 3, 0));
    assert_eq!(d.overwritten_in, vec![3]);
    assert_eq!(s.changes[1].files_modified, 1);
    assert_eq!(s.changes[3].files_modified, 2);
    assert_eq!(s.changes[0].wasted_bytes, 1);
    assert_eq!(s.changes[1].wasted_bytes, 2);
    assert_eq!(s.changes[3].wasted_bytes, 0);
}

#[test]
fn repeated_parent_directory_with_same_mode_is_not_a_modification() {
    let s = scan(vec![
        Layer::new().dir("usr").file("usr/a", b"a"),
        Layer::new().dir("usr").file("usr/b", b"b"),
    ]);
    let usr = node(&s, "usr");
    assert!(usr.overwritten_in.is_empty());
    assert_eq!(usr.added_in, 0);
    assert_eq!(s.changes[1].files_modified, 0);
    assert_eq!(s.changes[1].files_added, 1);
}

#[test]
fn hard_links_record_the_normalised_target() {
    let s = scan(vec![
        Layer::new()
            .dir("bin")
            .file_mode("bin/busybox", b"BB", 0o755)
            .hardlink("bin/sh", "./bin/busybox")
            .hardlink("bin/ash", "/bin/../bin/busybox"),
    ]);
    let sh = node(&s, "bin/sh");
    assert_eq!(sh.kind, EntryKind::HardLink);
    assert_eq!(sh.link.as_deref(), Some("bin/busybox"));
    assert_eq!(sh.size, 0);
    assert_eq!(node(&s, "bin/ash").link.as_deref(), Some("bin/busybox"));
}

#[test]
fn hard_link_out_of_the_root_is_an_error() {
    let err = scan_err(&ImageSpec::new(vec![
        Layer::new()
            .file("ok", b"1")
            .hardlink("bin/evil", "../../etc/shadow"),
    ]));
    assert!(
        !err.contains("corrupt"),
        "content errors are not stream errors: {err}"
    );
    assert!(err.contains("hard link"), "{err}");
    assert!(err.contains("points outside the image root"), "{err}");
    assert!(err.contains("../../etc/shadow"), "{err}");
}

#[test]
fn symlinks_are_recorded_and_never_followed() {
    let s = scan(vec![
        Layer::new()
            .dir("usr")
            .dir("usr/lib")
            .symlink("lib", "usr/lib")
            .symlink("escape", "../../../../etc/shadow")
            .symlink("abs", "/etc/passwd")
            // Written "through" the symlink: recorded under its own path.
            .file("lib/x", b"x"),
    ]);
    let esc = node(&s, "escape");
    assert_eq!(esc.kind, EntryKind::Symlink);
    assert_eq!(esc.link.as_deref(), Some("../../../../etc/shadow"));
    assert_eq!(node(&s, "abs").link.as_deref(), Some("/etc/passwd"));
    assert_eq!(node(&s, "lib").link.as_deref(), Some("usr/lib"));
    assert!(s.fs.get("etc/shadow").is_none());
    assert!(s.fs.get("usr/lib/x").is_none());
    assert_eq!(node(&s, "lib/x").kind, EntryKind::File);
    // Dangling and escaping links resolve to nothing.
    assert!(s.fs.resolve("escape").is_none());
    assert!(s.fs.resolve("abs").is_none());
}

#[test]
fn resolve_follows_links_inside_the_image_only() {
    let s = scan(vec![
        Layer::new()
            .dir("usr")
            .dir("usr/lib")
            .file("usr/lib/libc.so", b"elf")
            .symlink("lib", "usr/lib")
            .dir("bin")
            .symlink("bin/abs", "/usr/lib/libc.so")
            .symlink("usr/lib/up", "../../../../usr/lib/libc.so")
            .dir("usr/bin")
            .file("usr/bin/python3", b"py")
            .symlink("usr/bin/python", "python3")
            .symlink("usr/bin/chain", "../../bin/abs")
            .symlink("loop1", "loop2")
            .symlink("loop2", "/loop1")
            .symlink("self", "self")
            .symlink("dangling", "nowhere"),
    ]);
    let r = |p: &str| s.fs.resolve(p).map(|(path, n)| (path, n.kind, n.size));
    let libc = Some(("usr/lib/libc.so".to_string(), EntryKind::File, 3));
    assert_eq!(r("lib/libc.so"), libc);
    assert_eq!(r("/lib/libc.so"), libc);
    assert_eq!(r("bin/abs"), libc);
    assert_eq!(r("usr/lib/up"), libc);
    assert_eq!(r("usr/bin/chain"), libc);
    assert_eq!(r("/../../usr/lib/libc.so"), libc);
    assert_eq!(r("usr/lib/../../../lib/./libc.so"), libc);
    assert_eq!(
        r("usr/bin/python"),
        Some(("usr/bin/python3".to_string(), EntryKind::File, 2))
    );
    assert_eq!(r("lib"), Some(("usr/lib".to_string(), EntryKind::Dir, 0)));
    assert_eq!(r("loop1"), None);
    assert_eq!(r("loop2/x"), None);
    assert_eq!(r("self"), None);
    assert_eq!(r("dangling"), None);
    assert_eq!(r("lib/missing"), None);
}

#[test]
fn resolve_treats_parents_without_entries_as_directories() {
    // Layers need not carry entries for the directories above their files.
    let s = scan(vec![
        Layer::new()
            .file("etc/os-release", b"ID=x\n")
            .symlink("usr/lib/os-release", "../../etc/os-release")
            .symlink("opt/link", "/etc"),
    ]);
    assert!(s.fs.get("etc").is_none());
    let r = |p: &str| s.fs.resolve(p).map(|(path, n)| (path, n.kind, n.size));
    let want = Some(("etc/os-release".to_string(), EntryKind::File, 5));
    assert_eq!(r("etc/os-release"), want);
    assert_eq!(r("usr/lib/os-release"), want);
    assert_eq!(r("opt/link/os-release"), want);
    assert_eq!(r("etc/missing"), None);
    assert_eq!(r("etc/os-release/x"), None);
    assert_eq!(r("etc"), None);
}

#[test]
fn tar_path_escaping_the_root_is_an_error() {
    let spec = ImageSpec::new(vec![
        Layer::new()
            .file("ok", b"1")
            .raw(b"../etc/passwd", b"root::0:0"),
    ]);
    let err = scan_err(&spec);
    assert!(err.contains("escapes"), "{err}");
    assert!(err.contains("../etc/passwd"), "{err}");
    let spec = ImageSpec::new(vec![Layer::new().raw(b"a/../../etc/passwd", b"x")]);
    assert!(scan_err(&spec).contains("escapes"));
    // Absolute and dotted names that stay inside are fine.
    let s = scan(vec![Layer::new().raw(b"/etc/./x/../passwd", b"x")]);
    assert_eq!(paths(&s), strings(&["etc/passwd"]));
}

/// An OCI layout of one uncompressed layer given as raw tar bytes.
fn layout_of_tar(tar: Vec<u8>) -> tempfile::TempDir {
    let mut built = ImageSpec::new(vec![Layer::new()])
        .compression(Compression::None)
        .build();
    let mut config: serde_json::Value = serde_json::from_slice(&built.config).unwrap();
    config["rootfs"]["diff_ids"][0] = format!("sha256:{}", sha256_hex(&tar)).into();
    built.config = serde_json::to_vec(&config).unwrap();
    built.blobs = vec![tar.clone()];
    built.tars = vec![tar];
    write_built(&built)
}

/// Rewrites bytes `range` of the first tar header and fixes its checksum.
fn patch_first_header(tar: &mut [u8], range: std::ops::Range<usize>, value: &[u8]) {
    tar[range].copy_from_slice(value);
    let mut header = tar::Header::from_byte_slice(&tar[..512]).clone();
    header.set_cksum();
    tar[..512].copy_from_slice(header.as_bytes());
}

#[test]
fn blank_numeric_header_fields_read_as_zero() {
    // As GNU tar, Go's archive/tar (containerd, docker) and Python read them.
    let mut tar = Layer::new()
        .file_owned("f", b"data", 0o640, 7, 8)
        .file("g", b"x")
        .tar();
    patch_first_header(&mut tar, 100..124, &[0u8; 24]); // mode, uid, gid
    let dir = layout_of_tar(tar.clone());
    let s = scan_dir(dir.path(), &[], &WalkOptions::default()).unwrap();
    let f = node(&s, "f");
    assert_eq!((f.mode, f.uid, f.gid, f.size), (0, 0, 0, 4));
    // A field that is neither a number nor blank is still an error.
    patch_first_header(&mut tar, 108..116, b"12x4567\0");
    let dir = layout_of_tar(tar);
    let err = walk_err(dir.path());
    assert!(err.contains(r#"tar entry "f": invalid uid"#), "{err}");
    assert!(!err.contains("corrupt"), "{err}");
}

#[test]
fn invalid_whiteouts_are_errors() {
    for name in [&b"dir/.wh."[..], b".wh..", b"a/.wh..."] {
        let spec = ImageSpec::new(vec![Layer::new().raw(name, b"")]);
        let err = scan_err(&spec);
        assert!(
            !err.contains("corrupt"),
            "content errors are not stream errors: {err}"
        );
        assert!(err.contains("invalid whiteout"), "{err}");
    }
}

/// Everything a scan says, minus the blob digests (which depend on the compression).
fn summary(s: &Scan) -> String {
    let mut out = String::new();
    for (p, n) in s.fs.iter() {
        out.push_str(&format!("{p} {n:?}\n"));
    }
    out.push_str(&format!("{:?}\n{:?}\n", s.fs.removed(), s.changes));
    out.push_str(&format!("{:?}\n", s.fs.efficiency()));
    for l in &s.layers {
        out.push_str(&format!(
            "{} {} {} {:?} {:?} {:?}\n",
            l.index, l.diff_id, l.uncompressed_size, l.entries, l.whiteouts, l.warnings
        ));
    }
    out
}

fn rich_layers() -> Vec<Layer> {
    let big: Vec<u8> = (0..300_000u32).map(|i| (i * 7 % 251) as u8).collect();
    vec![
        Layer::new()
            .dir("etc")
            .file("etc/os-release", b"PRETTY_NAME=\"Test\"\n")
            .file("etc/a", b"aaa")
            .dir("opt")
            .file("opt/big", &big)
            .symlink("etc/link", "os-release")
            .hardlink("etc/hl", "etc/a")
            .file_owned("bin-su", b"su", 0o4755, 0, 0),
        Layer::new()
            .whiteout("etc/a")
            .file("opt/big", &big[..1000])
            .dir("var")
            .file("var/log", b"log"),
        Layer::new()
            .opaque("var")
            .file("var/new", b"n")
            .whiteout("opt"),
    ]
}

#[test]
fn gzip_zstd_and_uncompressed_layers_give_identical_scans() {
    let mut summaries = Vec::new();
    for c in [Compression::Gzip, Compression::Zstd, Compression::None] {
        let spec = ImageSpec::new(rich_layers()).compression(c);
        let s = try_scan_with(&spec, &[], &WalkOptions::default()).unwrap();
        let want = match c {
            Compression::Gzip => palisade_image::manifest::Compression::Gzip,
            Compression::Zstd => palisade_image::manifest::Compression::Zstd,
            Compression::None => palisade_image::manifest::Compression::None,
        };
        let built = spec.build();
        for (l, blob) in s.layers.iter().zip(&built.blobs) {
            assert_eq!(l.compression, want);
            assert_eq!(l.compressed_size, blob.len() as u64);
            assert_eq!(l.digest.to_string(), format!("sha256:{}", sha256_hex(blob)));
            assert!(l.digest_verified);
            assert_eq!(l.uncompressed_size, built.tars[l.index].len() as u64);
        }
        summaries.push(summary(&s));
    }
    assert_eq!(summaries[0], summaries[1]);
    assert_eq!(summaries[0], summaries[2]);
    assert!(summaries[0].contains("var/new"));
}

#[test]
fn one_thread_and_many_threads_give_identical_scans() {
    let spec = ImageSpec::new(rich_layers());
    let one = try_scan_with(
        &spec,
        &[],
        &WalkOptions {
            threads: 1,
            ..WalkOptions::default()
        },
    )
    .unwrap();
    let many = try_scan_with(&spec, &[], &WalkOptions::default()).unwrap();
    let eight = try_scan_with(
        &spec,
        &[],
        &WalkOptions {
            threads: 8,
            ..WalkOptions::default()
        },
    )
    .unwrap();
    assert_eq!(summary(&one), summary(&many));
    assert_eq!(summary(&one), summary(&eight));
    let digests = |s: &Scan| {
        s.layers
            .iter()
            .map(|l| l.digest.to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(digests(&one), digests(&many));
}

fn write_built(built: &palisade_testsupport::Built) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write_oci_built(dir.path(), built, "t");
    dir
}

#[test]
fn multi_member_gzip_layer_is_read_whole() {
    let spec = ImageSpec::new(rich_layers());
    let mut built = spec.build();
    let single = write_built(&built);
    let whole = summary(&scan_dir(single.path(), &[], &WalkOptions::default()).unwrap());
    for (i, tar) in built.tars.iter().enumerate() {
        // Split inside a header and inside file data: two gzip members,
        // whose decompressed concatenation is the tar.
        let cut = tar.len() / 2 + 3;
        let mut blob = compress(&tar[..cut], Compression::Gzip);
        blob.extend(compress(&tar[cut..], Compression::Gzip));
        built.blobs[i] = blob;
    }
    let dir = write_built(&built);
    let s = scan_dir(dir.path(), &[], &WalkOptions::default()).unwrap();
    assert_eq!(summary(&s), whole);
    for (l, b) in s.layers.iter().zip(&built.blobs) {
        assert_eq!(l.compressed_size, b.len() as u64);
    }
}

fn blob_path(dir: &Path, blob: &[u8]) -> PathBuf {
    dir.join("blobs/sha256").join(sha256_hex(blob))
}

fn walk_err(dir: &Path) -> String {
    match scan_dir(dir, &[], &WalkOptions::default()) {
        Ok(_) => panic!("the walk succeeded"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn corrupted_blob_is_a_digest_mismatch() {
    let spec = ImageSpec::new(vec![
        Layer::new().file("a", b"first layer"),
        Layer::new().file("b", &[b'b'; 5000]),
    ])
    .compression(Compression::None);
    let built = spec.build();
    let dir = write_built(&built);
    let path = blob_path(dir.path(), &built.blobs[1]);
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[512 + 100] ^= 0x01; // inside b's content: the tar still parses
    std::fs::write(&path, &bytes).unwrap();
    let err = walk_err(dir.path());
    let digest = format!("sha256:{}", sha256_hex(&built.blobs[1]));
    assert!(err.contains("digest mismatch"), "{err}");
    assert!(err.contains(&format!("layer {digest}")), "{err}");
    assert!(
        err.contains(&format!("got sha256:{}", sha256_hex(&bytes))),
        "{err}"
    );
}

#[test]
fn corrupted_gzip_blob_is_an_error_naming_the_layer() {
    let spec = ImageSpec::new(vec![Layer::new().file("b", &[b'b'; 50_000])]);
    let built = spec.build();
    let dir = write_built(&built);
    let path = blob_path(dir.path(), &built.blobs[0]);
    let mut bytes = std::fs::read(&path).unwrap();
    let n = bytes.len();
    bytes[n - 5] ^= 0x40; // the gzip trailer (CRC32/ISIZE)
    std::fs::write(&path, &bytes).unwrap();
    let err = walk_err(dir.path());
    let digest = format!("sha256:{}", sha256_hex(&built.blobs[0]));
    assert!(err.contains(&format!("layer {digest}")), "{err}");
    // The decoder notices first (the blob's digest is checked at its end).
    assert!(
        err.contains("corrupt or truncated gzip stream") || err.contains("digest mismatch"),
        "{err}"
    );
}

#[test]
fn truncated_blob_is_an_error() {
    for c in [Compression::Gzip, Compression::None] {
        let noise: Vec<u8> = (0..20_000u64)
            .map(|i| {
                (i.wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407)
                    >> 33) as u8
            })
            .collect();
        let spec = ImageSpec::new(vec![Layer::new().file("b", &noise)]).compression(c);
        let built = spec.build();
        let dir = write_built(&built);
        let path = blob_path(dir.path(), &built.blobs[0]);
        let bytes = std::fs::read(&path).unwrap();
        std::fs::write(&path, &bytes[..bytes.len() - 600]).unwrap();
        let err = walk_err(dir.path());
        let digest = format!("sha256:{}", sha256_hex(&built.blobs[0]));
        assert!(err.contains(&format!("layer {digest}")), "{c:?}: {err}");
        let want = format!(
            "blob {digest} is {} bytes, descriptor says {}",
            bytes.len() - 600,
            bytes.len()
        );
        assert!(err.contains(&want), "{c:?}: {err}");
    }
}

#[test]
fn wrong_diff_id_in_the_config_is_a_mismatch() {
    let spec = ImageSpec::new(vec![
        Layer::new().file("a", b"1"),
        Layer::new().file("b", b"2"),
    ]);
    let mut built = spec.build();
    let mut config: serde_json::Value = serde_json::from_slice(&built.config).unwrap();
    let wrong = format!("sha256:{}", sha256_hex(b"something else"));
    config["rootfs"]["diff_ids"][1] = wrong.clone().into();
    built.config = serde_json::to_vec(&config).unwrap();
    let dir = write_built(&built);
    let err = walk_err(dir.path());
    assert!(err.contains("diff-id mismatch"), "{err}");
    assert!(err.contains(&format!("the config says {wrong}")), "{err}");
    assert!(
        err.contains(&format!(
            "the layer's content is sha256:{}",
            sha256_hex(&built.tars[1])
        )),
        "{err}"
    );
}

/// With `verify_diff_ids` off, a compressed layer whose blob digest was
/// verified is not hashed again: the config's (wrong) diff-id is reported
/// as unverified instead of failing the walk, and the content is unchanged.
#[test]
fn diff_id_check_can_be_skipped_for_verified_compressed_blobs() {
    let spec = ImageSpec::new(vec![
        Layer::new().file("a", b"1"),
        Layer::new().file("b", b"2"),
    ]);
    let mut built = spec.build();
    let mut config: serde_json::Value = serde_json::from_slice(&built.config).unwrap();
    let wrong = format!("sha256:{}", sha256_hex(b"something else"));
    config["rootfs"]["diff_ids"][1] = wrong.clone().into();
    built.config = serde_json::to_vec(&config).unwrap();
    let dir = write_built(&built);
    let options = WalkOptions {
        verify_diff_ids: false,
        ..WalkOptions::default()
    };
    let s = scan_dir(dir.path(), &[], &options).expect("walk without the diff-id check");
    assert_eq!(paths(&s), ["a", "b"]);
    assert!(
        s.layers
            .iter()
            .all(|l| !l.diff_id_verified && l.digest_verified)
    );
    assert_eq!(s.layers[1].diff_id.to_string(), wrong);
    assert_eq!(
        s.layers[0].diff_id.to_string(),
        format!("sha256:{}", sha256_hex(&built.tars[0]))
    );
    // The blob digest is still verified when the diff-id is not: change the
    // gzip header's MTIME, which no gzip check covers.
    let path = blob_path(dir.path(), &built.blobs[0]);
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[4] ^= 1;
    std::fs::write(&path, &bytes).unwrap();
    let err = match scan_dir(dir.path(), &[], &options) {
        Ok(_) => panic!("a corrupt blob passed"),
        Err(e) => e.to_string(),
    };
    assert!(err.contains("digest mismatch"), "{err}");
}

/// An uncompressed layer's diff-id is its blob digest: it is always checked.
#[test]
fn uncompressed_layers_keep_the_diff_id_check() {
    let spec = ImageSpec::new(vec![Layer::new().file("a", b"1")]).compression(Compression::None);
    let s = try_scan_with(
        &spec,
        &[],
        &WalkOptions {
            verify_diff_ids: false,
            ..WalkOptions::default()
        },
    )
    .unwrap();
    assert!(s.layers[0].diff_id_verified);
    assert_eq!(s.layers[0].diff_id, s.layers[0].digest);
}

#[test]
fn layer_size_limit() {
    let spec = ImageSpec::new(vec![Layer::new().file("big", &[7u8; 100_000])]);
    let tar_len = spec.build().tars[0].len() as u64;
    let limited = |max: u64| WalkOptions {
        limits: Limits {
            max_layer_bytes: max,
            ..Limits::default()
        },
        ..WalkOptions::default()
    };
    let s = try_scan_with(&spec, &[], &limited(tar_len)).expect("exactly at the limit");
    assert_eq!(s.layers[0].uncompressed_size, tar_len);
    let err = try_scan_with(&spec, &[], &limited(tar_len - 1))
        .err()
        .expect("over the limit")
        .to_string();
    assert!(
        err.contains(&format!("larger than the {}-byte limit", tar_len - 1)),
        "{err}"
    );
}

#[test]
fn entry_count_limit() {
    let spec = ImageSpec::new(vec![
        Layer::new().dir("d").file("d/a", b"a").file("d/b", b"b"),
    ]);
    let limited = |max: usize| WalkOptions {
        limits: Limits {
            max_entries: max,
            ..Limits::default()
        },
        ..WalkOptions::default()
    };
    assert_eq!(try_scan_with(&spec, &[], &limited(3)).unwrap().fs.len(), 3);
    let err = try_scan_with(&spec, &[], &limited(2))
        .err()
        .expect("over the limit")
        .to_string();
    assert!(err.contains("more than the limit of 2 entries"), "{err}");
}

#[test]
fn path_length_limit() {
    let long = format!("d/{}", "x".repeat(150));
    let spec = ImageSpec::new(vec![Layer::new().file(&long, b"1")]);
    let options = WalkOptions {
        limits: Limits {
            max_path_len: 100,
            ..Limits::default()
        },
        ..WalkOptions::default()
    };
    let err = try_scan_with(&spec, &[], &options)
        .err()
        .unwrap()
        .to_string();
    assert!(
        !err.contains("corrupt"),
        "content errors are not stream errors: {err}"
    );
    assert!(err.contains("longer than 100 bytes"), "{err}");
    assert_eq!(scan(spec.layers.clone()).fs.get(&long).unwrap().size, 1);
}

/// (path, layer, size, content) of one file an analyzer received.
type Seen = (String, usize, u64, Vec<u8>);

/// Records every call; outputs "layer:content" for each file.
struct Recorder {
    name: &'static str,
    patterns: Vec<&'static str>,
    max: u64,
    seen: Mutex<Vec<Seen>>,
    too_large: Mutex<Vec<(String, usize, u64)>>,
}

impl Recorder {
    fn new(name: &'static str, patterns: Vec<&'static str>, max: u64) -> Self {
        Recorder {
            name,
            patterns,
            max,
            seen: Mutex::new(Vec::new()),
            too_large: Mutex::new(Vec::new()),
        }
    }
    fn seen(&self) -> Vec<Seen> {
        let mut v = self.seen.lock().unwrap().clone();
        v.sort();
        v
    }
}

impl Analyzer for Recorder {
    fn name(&self) -> &'static str {
        self.name
    }
    fn patterns(&self) -> &[&str] {
        &self.patterns
    }
    fn max_size(&self) -> u64 {
        self.max
    }
    fn analyze(&self, file: FileRef<'_>, content: &[u8]) -> Result<Option<Analysis>, String> {
        self.seen.lock().unwrap().push((
            file.path.to_string(),
            file.layer,
            file.size,
            content.to_vec(),
        ));
        if content == b"fail" {
            return Err("cannot parse".into());
        }
        if content == b"skip" {
            return Ok(None);
        }
        Ok(Some(Box::new(format!(
            "{}:{}",
            file.layer,
            String::from_utf8_lossy(content)
        ))))
    }
    fn too_large(&self, file: FileRef<'_>) -> Option<Analysis> {
        self.too_large
            .lock()
            .unwrap()
            .push((file.path.to_string(), file.layer, file.size));
        Some(Box::new(format!("too large: {}", file.size)))
    }
}

fn output(s: &Scan, path: &str, analyzer: usize) -> Option<String> {
    s.analysis(path, analyzer)
        .map(|a| a.downcast_ref::<String>().expect("a String").clone())
}

#[test]
fn analyzers_see_only_matching_files_with_intact_content() {
    let binary: Vec<u8> = (0..=255u8).cycle().take(1000).collect();
    let spec = ImageSpec::new(vec![
        Layer::new()
            .dir("etc")
            .file("etc/a.conf", b"hello")
            .file("etc/a.txt", b"not matched")
            .file("etc/sub/b.conf", b"* does not cross /")
            .symlink("etc/link.conf", "a.conf")
            .hardlink("etc/hard.conf", "etc/a.conf")
            .file("etc/c.conf", b"deleted later")
            .file("etc/bad.conf", b"fail")
            .file("etc/skip.conf", b"skip")
            .file("opt/bin.dat", &binary)
            .file("opt/big", &[1u8; 2000])
            .file("opt/edge", &[2u8; 1000]),
        Layer::new()
            .file("etc/a.conf", b"world")
            .file("etc/lower.conf", b"1"),
        Layer::new()
            .whiteout("etc/c.conf")
            .file("etc/lower.conf", b"22"),
        Layer::new().whiteout("etc/lower.conf"),
    ]);
    let conf = Recorder::new("conf", vec!["etc/*.conf"], 1 << 20);
    let data = Recorder::new("data", vec!["opt/*", "etc/a.conf"], 1000);
    let analyzers: [&dyn Analyzer; 2] = [&conf, &data];
    let s = try_scan_with(&spec, &analyzers, &WalkOptions::default()).unwrap();
    let rec = |p: &str, l: usize, c: &[u8]| (p.to_string(), l, c.len() as u64, c.to_vec());
    let mut want_conf = vec![
        rec("etc/a.conf", 0, b"hello"),
        rec("etc/c.conf", 0, b"deleted later"),
        rec("etc/bad.conf", 0, b"fail"),
        rec("etc/skip.conf", 0, b"skip"),
        rec("etc/a.conf", 1, b"world"),
        rec("etc/lower.conf", 1, b"1"),
        rec("etc/lower.conf", 2, b"22"),
    ];
    want_conf.sort();
    assert_eq!(conf.seen(), want_conf);
    assert!(conf.too_large.lock().unwrap().is_empty());
    let mut want_data = vec![
        rec("etc/a.conf", 0, b"hello"),
        rec("etc/a.conf", 1, b"world"),
        rec("opt/bin.dat", 0, &binary),
        rec("opt/edge", 0, &[2u8; 1000]),
    ];
    want_data.sort();
    assert_eq!(data.seen(), want_data);
    assert_eq!(
        *data.too_large.lock().unwrap(),
        vec![("opt/big".to_string(), 0, 2000)]
    );
    // The visible version's output, per analyzer.
    assert_eq!(output(&s, "etc/a.conf", 0).as_deref(), Some("1:world"));
    assert_eq!(output(&s, "etc/a.conf", 1).as_deref(), Some("1:world"));
    assert_eq!(output(&s, "/etc/a.conf", 0).as_deref(), Some("1:world"));
    assert_eq!(output(&s, "etc/c.conf", 0), None); // deleted
    assert_eq!(output(&s, "etc/lower.conf", 0), None); // overwritten, then deleted
    assert_eq!(output(&s, "etc/a.txt", 0), None); // not matched
    assert_eq!(output(&s, "etc/skip.conf", 0), None); // Ok(None)
    assert_eq!(output(&s, "opt/big", 1).as_deref(), Some("too large: 2000"));
    assert_eq!(output(&s, "opt/big", 0), None); // analyzer 0 does not want it
    assert_eq!(output(&s, "opt/edge", 1).map(|o| o.len()), Some(2 + 1000));
    // The overwritten version's output stays in its own layer.
    let lower = &s.layers[0].analyses["etc/a.conf"];
    assert_eq!(lower.len(), 2);
    // A failing analyzer is a warning, not an error.
    assert_eq!(
        s.layers[0].warnings,
        vec!["conf: /etc/bad.conf: cannot parse".to_string()]
    );
    // Contents were read for the analyzers but the walk still saw every entry.
    assert_eq!(node(&s, "opt/big").size, 2000);
    assert_eq!(node(&s, "etc/link.conf").kind, EntryKind::Symlink);
}

#[test]
fn invalid_analyzer_pattern_is_an_error() {
    let bad = Recorder::new("bad", vec!["etc/[.conf"], 10);
    let analyzers: [&dyn Analyzer; 1] = [&bad];
    let err = try_scan_with(
        &ImageSpec::new(vec![Layer::new().file("a", b"1")]),
        &analyzers,
        &WalkOptions::default(),
    )
    .err()
    .unwrap()
    .to_string();
    assert!(err.contains("analyzer bad"), "{err}");
    assert!(err.contains("etc/[.conf"), "{err}");
}

/// The hand-computed example of the change counts and dive's efficiency.
///
/// L0: a/ a/f1(100) a/f2(200) d/ d/x(50) d/y(30) keep(10)
/// L1: a/f1(150) .wh.a/f2 new(5)
/// L2: .wh.d a/f1(120) keep2(7)
fn efficiency_layers() -> Vec<Layer> {
    vec![
        Layer::new()
            .dir("a")
            .file_sized("a/f1", 100, b'1')
            .file_sized("a/f2", 200, b'2')
            .dir("d")
            .file_sized("d/x", 50, b'x')
            .file_sized("d/y", 30, b'y')
            .file_sized("keep", 10, b'k'),
        Layer::new()
            .file_sized("a/f1", 150, b'A')
            .whiteout("a/f2")
            .file_sized("new", 5, b'n'),
        Layer::new()
            .whiteout("d")
            .file_sized("a/f1", 120, b'B')
            .file_sized("keep2", 7, b'K'),
    ]
}

#[test]
fn per_layer_changes_hand_computed() {
    let s = scan(efficiency_layers());
    let c = |i: usize| {
        let c = &s.changes[i];
        (
            c.files_added,
            c.files_modified,
            c.files_deleted,
            c.content_bytes,
            c.wasted_bytes,
        )
    };
    // L0: 7 entries added; 390 bytes; a/f1 (100, overwritten), a/f2 (200),
    // d/x (50) and d/y (30) (deleted) are wasted.
    assert_eq!(c(0), (7, 0, 0, 390, 380));
    // L1: a/f1 modified, new added, a/f2 deleted; its a/f1 (150) is overwritten.
    assert_eq!(c(1), (1, 1, 1, 155, 150));
    // L2: keep2 added, a/f1 modified, d, d/x, d/y deleted.
    assert_eq!(c(2), (1, 1, 3, 127, 0));
    assert_eq!(paths(&s), strings(&["a", "a/f1", "keep", "keep2", "new"]));
}

#[test]
fn efficiency_hand_computed_as_dive_does() {
    let s = scan(efficiency_layers());
    let e = s.fs.efficiency();
    // Per path, (cumulative, minimum):
    //   a/f1 100+150+120 = 370, 100      a/f2 200 + 0 (file whiteout) = 200, 0
    //   d    50+30 (a directory whiteout counts what it deletes) = 80, 80
    //   d/x 50  d/y 30  keep 10  new 5  keep2 7 (once each)
    // score = (100+0+80+50+30+10+5+7) / (370+200+80+50+30+10+5+7) = 282 / 752
    assert_eq!(e.score, 282.0 / 752.0);
    assert_eq!(e.score, 0.375);
    // Paths seen at least twice: a/f1 (370) and a/f2 (200).
    assert_eq!(e.wasted_bytes, 570);
    assert_eq!(e.user_bytes, 155 + 127);
    let ineff: Vec<(&str, u64, u64)> = e
        .inefficient
        .iter()
        .map(|p| (p.path.as_str(), p.occurrences, p.total_bytes))
        .collect();
    assert_eq!(ineff, vec![("a/f1", 3, 370), ("a/f2", 2, 200)]);
}

#[test]
fn a_path_written_twice_in_one_layer_counts_once() {
    // dive's per-layer tree keeps one node per path (the last entry); the
    // per-layer counts do the same. Checked against dive 0.13.1:
    // score 50/70, 30 bytes wasted (only g).
    let s = scan(vec![
        Layer::new()
            .file_sized("f", 100, b'1')
            .file_sized("f", 40, b'2')
            .file_sized("g", 10, b'g'),
        Layer::new().file_sized("g", 20, b'G'),
    ]);
    let f = node(&s, "f");
    assert_eq!((f.size, f.layer, f.added_in), (40, 0, 0));
    assert!(f.overwritten_in.is_empty());
    let c = &s.changes[0];
    assert_eq!(
        (
            c.files_added,
            c.files_modified,
            c.content_bytes,
            c.wasted_bytes
        ),
        (2, 0, 50, 10)
    );
    let e = s.fs.efficiency();
    assert_eq!(e.score, 50.0 / 70.0);
    assert_eq!(e.wasted_bytes, 30);
    assert_eq!(e.inefficient.len(), 1);
    assert_eq!(e.inefficient[0].path, "g");
}

#[test]
fn efficiency_of_an_image_without_waste_is_one() {
    let s = scan(vec![
        Layer::new().file("a", b"12345"),
        Layer::new().file("b", b"678"),
    ]);
    let e = s.fs.efficiency();
    assert_eq!((e.score, e.wasted_bytes, e.user_bytes), (1.0, 0, 3));
    assert!(e.inefficient.is_empty());
    let empty = scan(vec![Layer::new().dir("only-a-dir")]);
    assert_eq!(empty.fs.efficiency().score, 1.0);
}
