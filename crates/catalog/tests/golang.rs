//! Go binaries: a program built here with Debian's Go (golang-go, offline:
//! its dependencies are vendored, one replaced) and `go version -m` as the
//! oracle. Without `go` the test fails, unless PALISADE_SKIP_PEER_TESTS=1.
//!
//! Go < 1.18 (pointer-format build information): the same program built
//! with Go 1.15 for six architectures (both pointer sizes, both byte
//! orders), PIE, stripped and GOPATH mode. The toolchain is Debian
//! bullseye's golang-1.15, unpacked by `tools/get-old-go.sh`, found through
//! PALISADE_OLD_GO (default: where that script puts it); without it those
//! tests fail, unless PALISADE_SKIP_PEER_TESTS=1. Go 1.19's `go version -m`
//! (which reads the old format) is the oracle.

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

/// `go` if it runs; `None` (skip) when it is missing and
/// PALISADE_SKIP_PEER_TESTS=1.
fn toolchain(go: &str, install: &str) -> Option<PathBuf> {
    if Command::new(go).arg("version").output().is_err() {
        if std::env::var("PALISADE_SKIP_PEER_TESTS").as_deref() == Ok("1") {
            eprintln!("SKIPPED: {go} missing, PALISADE_SKIP_PEER_TESTS=1");
            return None;
        }
        panic!("{go} missing: {install} (or set PALISADE_SKIP_PEER_TESTS=1)");
    }
    Some(PathBuf::from(go))
}

fn go() -> Option<PathBuf> {
    toolchain("go", "apt-get install -y --no-install-recommends golang-go")
}

/// Go 1.15, for pointer-format build information.
fn old_go() -> Option<PathBuf> {
    let old = std::env::var("PALISADE_OLD_GO")
        .unwrap_or_else(|_| "/var/tmp/palisade-go1.15/usr/lib/go-1.15/bin/go".to_string());
    go()?;
    toolchain(
        &old,
        "run tools/get-old-go.sh and set PALISADE_OLD_GO to the path it prints",
    )
}

/// Builds the test program into `dir` with the default `go`; `None` (skip)
/// when `go` is missing and PALISADE_SKIP_PEER_TESTS=1.
fn build_program(dir: &Path, extra: &[&str]) -> Option<PathBuf> {
    let go = go()?;
    Some(build_with(&go, "1.19", dir, "hello", &[], extra))
}

/// Builds the test program with `go` into `dir/name`, with `env` set.
fn build_with(
    go: &Path,
    language: &str,
    dir: &Path,
    name: &str,
    env: &[(&str, &str)],
    extra: &[&str],
) -> PathBuf {
    write(
        &dir.join("go.mod"),
        &format!(
            "module example.com/hello\n\ngo {language}\n\nrequire (\n\texample.com/greet v1.2.3\n\texample.com/oldlog v1.0.0\n)\n\nreplace example.com/oldlog v1.0.0 => example.org/newlog v1.1.0\n"
        ),
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
    let out = dir.join(name);
    let status = Command::new(go)
        .args(["build", "-o"])
        .arg(&out)
        .args(extra)
        .arg(".")
        .current_dir(dir)
        .env("GOFLAGS", "-mod=vendor")
        .env("GOPROXY", "off")
        .env("GOCACHE", dir.join(".cache"))
        .envs(env.iter().copied())
        .status()
        .unwrap();
    assert!(status.success(), "go build {name} failed");
    out
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

/// Go 1.15 binaries (pointer-format build information) for 64- and 32-bit,
/// little- and big-endian targets, PIE and stripped: what the streaming
/// scanner reads equals `go version -m`, in any chunking, and in an image
/// the packages are those of the Go ≥ 1.18 binary (stdlib at 1.15.15).
#[test]
fn go_1_15_pointer_format_equals_go_version_m() {
    let Some(old) = old_go() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    // (name, GOARCH, extra build flags)
    let builds = [
        ("amd64", "amd64", None),
        ("386", "386", None),
        ("arm", "arm", None),
        ("arm64", "arm64", None),
        ("ppc64", "ppc64", None),
        ("mips", "mips", None),
        ("pie", "amd64", Some("-buildmode=pie")),
        ("stripped", "amd64", Some("-ldflags=-s -w")),
    ];
    for (name, arch, extra) in builds {
        let env = [("GOARCH", arch), ("CGO_ENABLED", "0")];
        let extra: Vec<&str> = extra.into_iter().collect();
        let binary = build_with(&old, "1.15", dir.path(), name, &env, &extra);
        let bytes = std::fs::read(&binary).unwrap();
        assert_eq!(bytes[15] & 2, 0);
        let info = golang::read(&bytes)
            .unwrap()
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let (version, modules) = go_version_m(&binary);
        assert_eq!(info.go_version, version, "{name}");
        assert_eq!(version, "go1.15.15");
        assert_eq!(as_lines(&info.main, &info.deps), modules, "{name}");
        assert_eq!(info.path.as_deref(), Some("example.com/hello"));
        let chunks: &[usize] = if name == "amd64" {
            &[1, 7, 16, 4096, 1 << 16, 1 << 22]
        } else {
            &[13, 1 << 16]
        };
        for &chunk in chunks {
            let scanned = scan_slice(
                GoAnalyzer.scanner(file_ref(bytes.len())).unwrap(),
                &bytes,
                chunk,
            )
            .unwrap()
            .unwrap();
            match scanned.downcast_ref::<GoFile>() {
                Some(GoFile::Binary(b)) => assert_eq!(b, &info, "{name}, chunks of {chunk}"),
                other => panic!("{name}, chunks of {chunk}: {other:?}"),
            }
        }
        if name == "amd64" {
            let s = sbom(&ImageSpec::new(vec![Layer::new().file_mode(
                "usr/local/bin/hello",
                &bytes,
                0o755,
            )]));
            assert!(s.warnings.is_empty(), "{:?}", s.warnings);
            let got: Vec<(&str, &str)> = s
                .packages
                .iter()
                .map(|p| (p.name.as_str(), p.version.as_str()))
                .collect();
            assert_eq!(
                got,
                [
                    ("example.com/greet", "v1.2.3"),
                    ("example.com/hello", "(devel)"),
                    ("example.org/newlog", "v1.1.0"),
                    ("stdlib", "1.15.15"),
                ]
            );
        }
    }
}

/// A Go 1.15 binary built outside module mode (GOPATH) has an empty
/// module string: only the standard library is known.
#[test]
fn go_1_15_gopath_binary_has_only_stdlib() {
    let Some(old) = old_go() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("gopath/src/hello");
    write(
        &src.join("main.go"),
        "package main\n\nfunc main() { println(1) }\n",
    );
    let out = dir.path().join("hello");
    let status = Command::new(&old)
        .args(["build", "-o"])
        .arg(&out)
        .current_dir(&src)
        .env("GO111MODULE", "off")
        .env("GOPATH", dir.path().join("gopath"))
        .env("GOCACHE", dir.path().join(".cache"))
        .env("CGO_ENABLED", "0")
        .status()
        .unwrap();
    assert!(status.success());
    let bytes = std::fs::read(&out).unwrap();
    let info = golang::read(&bytes).unwrap().unwrap();
    let (version, modules) = go_version_m(&out);
    assert_eq!(
        (info.go_version.as_str(), modules.len()),
        (version.as_str(), 0)
    );
    assert!(info.main.is_none() && info.deps.is_empty());
}

/// Go 1.15 binaries cut short anywhere around the build information and
/// the bytes its pointers lead to, or with any byte of the header or the
/// string headers changed: an error or nothing, never a panic, and never a
/// version that was not in the file.
#[test]
fn go_1_15_damaged_pointers_never_panic() {
    let Some(old) = old_go() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    for (name, arch) in [("le", "amd64"), ("be", "mips")] {
        let binary = build_with(
            &old,
            "1.15",
            dir.path(),
            name,
            &[("GOARCH", arch), ("CGO_ENABLED", "0")],
            &["-ldflags=-s -w"],
        );
        let bytes = std::fs::read(&binary).unwrap();
        let at = memchr_find(&bytes, b"\xff Go buildinf:").unwrap();
        // Truncated: inside the header, between it and the string headers.
        for n in (at..at + 64).chain((at + 64..(at + 0x4000).min(bytes.len())).step_by(97)) {
            if let Some(Ok(info)) = golang::read(&bytes[..n]) {
                panic!("{name}: truncated at {n} still read: {info:?}");
            }
        }
        // Every byte of the header's pointers, flipped.
        for i in at + 14..at + 32 {
            for flip in [0x01, 0x80, 0xff] {
                let mut b = bytes.clone();
                b[i] ^= flip;
                if let Some(Ok(info)) = golang::read(&b) {
                    assert_eq!(info.go_version, "go1.15.15", "{name}: byte {i}");
                }
            }
        }
        // Program headers claiming huge sizes and offsets.
        let mut b = bytes.clone();
        let phnum = if bytes[4] == 2 { 0x38 } else { 0x2c };
        b[phnum] = 0xff;
        b[phnum + 1] = 0xff;
        assert!(matches!(golang::read(&b), Some(Err(_)) | None));
    }
}
