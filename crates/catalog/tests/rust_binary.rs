//! cargo-auditable binaries. cargo-auditable is not installed here, so the
//! binary is made the way it makes one: a `.dep-v0` section holding
//! zlib-compressed JSON in its format, added with binutils' `objcopy` to a
//! real ELF executable (a copy of /bin/true). Needs objcopy (binutils);
//! without it the test fails, unless PALISADE_SKIP_PEER_TESTS=1.

use palisade_catalog::rust_binary::{self, RustBinaryAnalyzer, RustFile};
use palisade_catalog::{Sbom, analyzers, build};
use palisade_image::{
    Analyzer, FileRef, ImageRef, OpenOptions, WalkOptions, open, scan_slice, walk,
};
use palisade_testsupport::{ImageSpec, Layer, write_oci};
use std::io::Write;
use std::process::Command;

fn sbom(spec: &ImageSpec) -> Sbom {
    let dir = tempfile::tempdir().unwrap();
    let layout = dir.path().join("oci");
    write_oci(&layout, spec, "latest");
    let reference = ImageRef::parse(&format!("oci:{}:latest", layout.display())).unwrap();
    let image = open(&reference, &OpenOptions::default()).unwrap();
    let boxed = analyzers();
    let list: Vec<&dyn Analyzer> = boxed.iter().map(|a| a.as_ref()).collect();
    let scan = walk(&image, &list, &WalkOptions::default()).unwrap();
    build(&scan, 0)
}

const DEP_INFO: &str = r#"{"packages":[
 {"name":"hello","version":"0.1.0","source":"local","dependencies":[1,2,3],"root":true},
 {"name":"serde","version":"1.0.228","source":"crates.io"},
 {"name":"time","version":"0.3.44","source":"crates.io","dependencies":[3]},
 {"name":"itoa","version":"1.0.15","source":"crates.io"},
 {"name":"cc","version":"1.2.41","source":"crates.io","kind":"build"}
]}"#;

fn zlib(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// /bin/true with `section` added as `.dep-v0`; `None` to skip.
fn auditable_binary(section: &[u8]) -> Option<Vec<u8>> {
    if Command::new("objcopy").arg("--version").output().is_err() {
        if std::env::var("PALISADE_SKIP_PEER_TESTS").as_deref() == Ok("1") {
            eprintln!("SKIPPED: objcopy missing, PALISADE_SKIP_PEER_TESTS=1");
            return None;
        }
        panic!("objcopy missing: apt-get install -y --no-install-recommends binutils");
    }
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("dep-v0");
    std::fs::write(&data, section).unwrap();
    let out = dir.path().join("hello");
    let status = Command::new("objcopy")
        .arg("--add-section")
        .arg(format!(".dep-v0={}", data.display()))
        .args(["/bin/true"])
        .arg(&out)
        .status()
        .unwrap();
    assert!(status.success());
    Some(std::fs::read(out).unwrap())
}

#[test]
fn auditable_binary_in_an_image() {
    let Some(binary) = auditable_binary(&zlib(DEP_INFO.as_bytes())) else {
        return;
    };
    let crates = rust_binary::read(&binary).unwrap().unwrap();
    assert_eq!(crates.len(), 5);
    // The streaming scanner (no section table needed) finds the same crates
    // wherever the chunks cut the file.
    for chunk in [1, 3, 64, 4096, 1 << 16] {
        let file = FileRef {
            path: "usr/local/bin/hello",
            mode: 0o755,
            size: binary.len() as u64,
            layer: 0,
        };
        let out = scan_slice(RustBinaryAnalyzer.scanner(file).unwrap(), &binary, chunk)
            .unwrap()
            .unwrap();
        match out.downcast_ref::<RustFile>() {
            Some(RustFile::Crates(c)) => assert_eq!(c, &crates, "chunk size {chunk}"),
            other => panic!("chunk size {chunk}: {other:?}"),
        }
    }
    // A plain ELF executable full of other zlib streams is not one.
    let plain = std::fs::read("/bin/true").unwrap();
    let mut noisy = plain.clone();
    noisy.extend_from_slice(&zlib(
        b"{\"other\": [1, 2, 3]} and more text to inflate past the judging point",
    ));
    noisy.extend_from_slice(&zlib(b"{}"));
    noisy.extend_from_slice(&[0x78, 0xda, 0x78, 0x9c, 0x78, 0x01]);
    assert!(rust_binary::read(&noisy).is_none());
    let file = FileRef {
        path: "usr/local/bin/noisy",
        mode: 0o755,
        size: noisy.len() as u64,
        layer: 0,
    };
    assert!(
        scan_slice(RustBinaryAnalyzer.scanner(file).unwrap(), &noisy, 4096)
            .unwrap()
            .is_none()
    );
    let s = sbom(&ImageSpec::new(vec![
        Layer::new()
            .file_mode("usr/local/bin/hello", &binary, 0o755)
            .file_mode(
                "usr/local/bin/plain",
                &std::fs::read("/bin/true").unwrap(),
                0o755,
            ),
    ]));
    assert!(s.warnings.is_empty(), "{:?}", s.warnings);
    let got: Vec<&str> = s.packages.iter().map(|p| p.purl.as_str()).collect();
    // Not the local root crate, not the build-only cc.
    assert_eq!(
        got,
        [
            "pkg:cargo/itoa@1.0.15",
            "pkg:cargo/serde@1.0.228",
            "pkg:cargo/time@0.3.44"
        ]
    );
    assert!(
        s.packages
            .iter()
            .all(|p| p.ecosystem == "crates.io" && p.locations[0].path == "/usr/local/bin/hello")
    );
}

#[test]
fn bombs_and_garbage_are_warnings() {
    // 64 MiB of spaces inflates past the 8 MiB limit.
    let bomb = zlib(&vec![b' '; 64 << 20]);
    assert!(rust_binary::parse(&bomb).unwrap_err().contains("more than"));
    assert!(rust_binary::parse(b"not zlib").is_err());
    assert!(rust_binary::parse(&zlib(b"{\"packages\": 7}")).is_err());
    // In an image the section is found by its content (the stream passes it
    // before the section table): a bomb that starts like the JSON is one.
    let mut json_bomb = br#"{"packages":["#.to_vec();
    json_bomb.resize(64 << 20, b' ');
    let Some(binary) = auditable_binary(&zlib(&json_bomb)) else {
        return;
    };
    let s = sbom(&ImageSpec::new(vec![Layer::new().file_mode(
        "app/server",
        &binary,
        0o755,
    )]));
    assert!(s.packages.is_empty());
    assert_eq!(s.warnings.len(), 1, "{:?}", s.warnings);
    assert!(s.warnings[0].starts_with("/app/server: cargo-auditable data: more than"));
}
