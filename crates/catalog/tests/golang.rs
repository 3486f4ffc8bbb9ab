//! Go binaries: a program built here with Debian's Go (golang-go, offline:
//! its dependencies are vendored, one replaced) and `go version -m` as the
//! oracle. Without `go` the test fails, unless PALISADE_SKIP_PEER_TESTS=1.

use palisade_catalog::golang::{self, GoAnalyzer, GoFile, GoModule};
use palisade_catalog::{Sbom, analyzers, build};
use palisade_image::{
    Analyzer, FileRef, ImageRef, OpenOptions, WalkOptions, open, scan_slice, walk,
};
use palisade_testsupport::{ImageSpec, Layer, write_oci};
use std::path::{Path, PathBuf};
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

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// Builds the test program into `dir`; `None` (skip) when `go` is missing
/// and PALISADE_SKIP_PEER_TESTS=1.
fn build_program(dir: &Path, extra: &[&str]) -> Option<PathBuf> {
    if Command::new("go").arg("version").output().is_err() {
        if std::env::var("PALISADE_SKIP_PEER_TESTS").as_deref() == Ok("1") {
            eprintln!("SKIPPED: go missing, PALISADE_SKIP_PEER_TESTS=1");
            return None;
        }
        panic!(
            "go missing: apt-get install -y --no-install-recommends golang-go (or set PALISADE_SKIP_PEER_TESTS=1)"
        );
    }
    write(
        &dir.join("go.mod"),
        "module example.com/hello\n\ngo 1.19\n\nrequire (\n\texample.com/greet v1.2.3\n\texample.com/oldlog v1.0.0\n)\n\nreplace example.com/oldlog v1.0.0 => example.org/newlog v1.1.0\n",
    );
    write(
        &dir.join("main.go"),
        "package main\n\nimport (\n\t\"fmt\"\n\n\t\"example.com/greet\"\n\tlog \"example.com/oldlog\"\n)\n\nfunc main() { fmt.Println(greet.Hello()); log.Print(\"x\") }\n",
    );
    write(
        &dir.join("vendor/example.com/greet/greet.go"),
        "package greet\n\nfunc Hello() string { return \"hello\" }\n",
    );
    write(
        &dir.join("vendor/example.com/oldlog/log.go"),
        "package oldlog\n\nimport \"fmt\"\n\nfunc Print(s string) { fmt.Println(s) }\n",
    );
    write(
        &dir.join("vendor/modules.txt"),
        "# example.com/greet v1.2.3\n## explicit\nexample.com/greet\n# example.com/oldlog v1.0.0 => example.org/newlog v1.1.0\n## explicit\nexample.com/oldlog\n",
    );
    let out = dir.join("hello");
    let status = Command::new("go")
        .args(["build", "-o"])
        .arg(&out)
        .args(extra)
        .arg(".")
        .current_dir(dir)
        .env("GOFLAGS", "-mod=vendor")
        .env("GOPROXY", "off")
        .env("GOCACHE", dir.join(".cache"))
        .status()
        .unwrap();
    assert!(status.success(), "go build failed");
    Some(out)
}

/// `go version -m`'s view: (go version, [(kind, path, version)]).
fn go_version_m(binary: &Path) -> (String, Vec<(String, String, String)>) {
    let out = Command::new("go")
        .args(["version", "-m"])
        .arg(binary)
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let mut lines = text.lines();
    let version = lines
        .next()
        .unwrap()
        .rsplit(' ')
        .next()
        .unwrap()
        .to_string();
    let modules = lines
        .filter_map(|l| {
            let f: Vec<&str> = l.trim_start().split('\t').collect();
            matches!(f[0], "mod" | "dep" | "=>").then(|| {
                (
                    f[0].to_string(),
                    f[1].to_string(),
                    f.get(2).unwrap_or(&"").to_string(),
                )
            })
        })
        .collect();
    (version, modules)
}

fn as_lines(main: &Option<GoModule>, deps: &[GoModule]) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for (kind, m) in main
        .iter()
        .map(|m| ("mod", m))
        .chain(deps.iter().map(|d| ("dep", d)))
    {
        out.push((kind.to_string(), m.path.clone(), m.version.clone()));
        if let Some((p, v)) = &m.replaced_by {
            out.push(("=>".to_string(), p.clone(), v.clone()));
        }
    }
    out
}

#[test]
fn build_info_equals_go_version_m() {
    let dir = tempfile::tempdir().unwrap();
    let Some(binary) = build_program(dir.path(), &[]) else {
        return;
    };
    let bytes = std::fs::read(&binary).unwrap();
    let info = golang::read(&bytes).unwrap().unwrap();
    let (version, modules) = go_version_m(&binary);
    assert_eq!(info.go_version, version);
    assert_eq!(as_lines(&info.main, &info.deps), modules);
    assert_eq!(info.path.as_deref(), Some("example.com/hello"));

    // The streaming scanner finds the same build information wherever the
    // chunks of the tar stream cut the file (the magic straddling two
    // chunks too), and it is what the ELF section holds.
    let section = palisade_catalog::elf::section(&bytes, ".go.buildinfo").unwrap();
    assert_eq!(golang::parse(section).unwrap(), info);
    let at = section.as_ptr() as usize - bytes.as_ptr() as usize;
    for chunk in [1, 5, 13, 16, 4096, at - 3, at + 7, 1 << 16] {
        let scanned = scan_slice(
            GoAnalyzer.scanner(file_ref(bytes.len())).unwrap(),
            &bytes,
            chunk,
        )
        .unwrap()
        .unwrap();
        match scanned.downcast_ref::<GoFile>() {
            Some(GoFile::Binary(b)) => assert_eq!(b, &info, "chunk size {chunk}"),
            other => panic!("chunk size {chunk}: {other:?}"),
        }
    }

    // Without the ELF section table, the aligned magic is found all the same.
    let mut no_sections = bytes.clone();
    no_sections[0x28..0x30].fill(0xff);
    let again = golang::read(&no_sections).unwrap().unwrap();
    assert_eq!(again, info);

    // In an image: stdlib, the main module, the deps (the replaced one as
    // its replacement); a non-executable copy and a shell script are not read.
    let s = sbom(&ImageSpec::new(vec![
        Layer::new()
            .file_mode("usr/local/bin/hello", &bytes, 0o755)
            .file_mode("srv/hello.bak", &bytes, 0o644)
            .file_mode("usr/local/bin/run.sh", b"#!/bin/sh\nexec hello\n", 0o755),
    ]));
    assert!(s.warnings.is_empty(), "{:?}", s.warnings);
    let got: Vec<(&str, &str, &str)> = s
        .packages
        .iter()
        .map(|p| (p.name.as_str(), p.version.as_str(), p.purl.as_str()))
        .collect();
    let stdlib = version.strip_prefix("go").unwrap();
    let mut want = [
        (
            "example.com/greet",
            "v1.2.3",
            "pkg:golang/example.com/greet@v1.2.3".to_string(),
        ),
        (
            "example.com/hello",
            "(devel)",
            "pkg:golang/example.com/hello@%28devel%29".to_string(),
        ),
        (
            "example.org/newlog",
            "v1.1.0",
            "pkg:golang/example.org/newlog@v1.1.0".to_string(),
        ),
        ("stdlib", stdlib, format!("pkg:golang/stdlib@{stdlib}")),
    ];
    want.sort();
    let want: Vec<(&str, &str, &str)> = want.iter().map(|(a, b, c)| (*a, *b, c.as_str())).collect();
    assert_eq!(got, want);
    assert!(
        s.packages
            .iter()
            .all(|p| p.ecosystem == "Go" && p.locations[0].path == "/usr/local/bin/hello")
    );
}

/// Truncated and corrupted binaries: no panic.
#[test]
fn damaged_build_info_never_panics() {
    let dir = tempfile::tempdir().unwrap();
    let Some(binary) = build_program(dir.path(), &["-ldflags=-s -w"]) else {
        return;
    };
    let bytes = std::fs::read(&binary).unwrap();
    assert!(
        golang::read(&bytes).unwrap().is_ok(),
        "stripped binaries keep build info"
    );
    let at = memchr_find(&bytes, b"\xff Go buildinf:").unwrap();
    for n in at..(at + 600).min(bytes.len()) {
        let _ = golang::read(&bytes[..n]);
        let _ = golang::parse(&bytes[at..n]);
        let mut b = bytes[at..(at + 600).min(bytes.len())].to_vec();
        b[n - at] ^= 0xff;
        let _ = golang::parse(&b);
    }
    assert!(golang::read(b"#!/bin/sh\n").is_none());
}

fn file_ref(size: usize) -> FileRef<'static> {
    FileRef {
        path: "usr/local/bin/hello",
        mode: 0o755,
        size: size as u64,
        layer: 0,
    }
}

fn memchr_find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}
