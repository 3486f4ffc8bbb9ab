//! The catalogers on synthetic images: the visible version of a package
//! database wins, distroless `status.d`, apk, file ownership, locations,
//! OS detection through a symlinked os-release, and hostile databases.

use palisade_catalog::{Sbom, analyzers, build};
use palisade_image::{Analyzer, ImageRef, OpenOptions, WalkOptions, open, walk};
use palisade_testsupport::{ImageSpec, Layer, write_oci};

fn sbom(spec: &ImageSpec) -> Sbom {
    let dir = tempfile::tempdir().unwrap();
    let layout = dir.path().join("oci");
    write_oci(&layout, spec, "latest");
    let reference = ImageRef::parse(&format!("oci:{}:latest", layout.display())).unwrap();
    let image = open(&reference, &OpenOptions::default()).unwrap();
    let boxed = analyzers();
    // An unrelated analyzer first, so the index offset is exercised.
    let probe = palisade_image::inspect::OsReleaseAnalyzer;
    let mut list: Vec<&dyn Analyzer> = vec![&probe];
    list.extend(boxed.iter().map(|a| a.as_ref()));
    let scan = walk(&image, &list, &WalkOptions::default()).unwrap();
    build(&scan, 1)
}

const DEBIAN_OS_RELEASE: &[u8] = b"PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\nVERSION=\"12 (bookworm)\"\nVERSION_CODENAME=bookworm\nID=debian\n";

fn para(name: &str, version: &str, extra: &str) -> String {
    format!(
        "Package: {name}\nStatus: install ok installed\nArchitecture: amd64\nVersion: {version}\n{extra}\n"
    )
}

#[test]
fn visible_dpkg_database_wins() {
    let old = [
        para("libc6", "2.36-9", "Source: glibc"),
        para("bash", "5.2.15-2", ""),
    ]
    .join("\n");
    let new = [
        para("libc6", "2.36-9+deb12u4", "Source: glibc"),
        para("bash", "5.2.15-2+b2", ""),
        para("curl", "7.88.1-10", ""),
    ]
    .join("\n");
    let spec = ImageSpec::new(vec![
        Layer::new()
            .file("usr/lib/os-release", DEBIAN_OS_RELEASE)
            .symlink("etc/os-release", "../usr/lib/os-release")
            .file("etc/debian_version", b"12.5\n")
            .file("bin/sh", b"")
            .dir("usr/bin")
            .file("usr/bin/bash", b"")
            .file("var/lib/dpkg/status", old.as_bytes())
            .file(
                "var/lib/dpkg/info/bash.list",
                b"/.\n/usr\n/usr/bin\n/usr/bin/bash\n",
            )
            .file(
                "var/lib/dpkg/info/libc6:amd64.list",
                b"/lib/x86_64-linux-gnu/libc.so.6\n",
            ),
        Layer::new().file("var/lib/dpkg/status", new.as_bytes()),
    ]);
    let s = sbom(&spec);
    let os = s.os.as_ref().expect("os");
    assert_eq!(os.id, "debian");
    assert_eq!(os.version_id.as_deref(), Some("12"));
    assert_eq!(os.version_codename.as_deref(), Some("bookworm"));
    assert_eq!(os.osv_ecosystem.as_deref(), Some("Debian:12"));
    assert!(!os.distroless);
    let got: Vec<(&str, &str)> = s
        .packages
        .iter()
        .map(|p| (p.name.as_str(), p.version.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("bash", "5.2.15-2+b2"),
            ("curl", "7.88.1-10"),
            ("libc6", "2.36-9+deb12u4")
        ]
    );
    let bash = &s.packages[0];
    assert_eq!(bash.ecosystem, "Debian:12");
    assert_eq!(
        bash.purl,
        "pkg:deb/debian/bash@5.2.15-2%2Bb2?arch=amd64&distro=debian-12"
    );
    assert_eq!(bash.locations[0].path, "/var/lib/dpkg/status");
    assert_eq!(bash.locations[0].layer, 1);
    assert_eq!(bash.files, ["/usr/bin/bash"]);
    let libc = &s.packages[2];
    assert_eq!(libc.source_name.as_deref(), Some("glibc"));
    assert_eq!(libc.source_version.as_deref(), Some("2.36-9+deb12u4"));
    assert_eq!(libc.files, ["/lib/x86_64-linux-gnu/libc.so.6"]);
    assert!(s.warnings.is_empty(), "{:?}", s.warnings);
}

#[test]
fn deleted_database_gives_no_packages() {
    let spec = ImageSpec::new(vec![
        Layer::new().file("var/lib/dpkg/status", para("bash", "5", "").as_bytes()),
        Layer::new().whiteout("var/lib/dpkg/status"),
    ]);
    let s = sbom(&spec);
    assert!(s.packages.is_empty());
    assert!(s.os.is_none());
}

#[test]
fn distroless_status_d() {
    let os_release = b"PRETTY_NAME=\"Distroless\"\nNAME=\"Debian GNU/Linux\"\nID=\"debian\"\nVERSION_ID=\"12\"\nVERSION=\"Debian GNU/Linux 12 (bookworm)\"\nHOME_URL=\"https://github.com/GoogleContainerTools/distroless\"\n";
    let spec = ImageSpec::new(vec![
        Layer::new()
            .file("etc/os-release", os_release)
            .file(
                "var/lib/dpkg/status.d/base-files",
                b"Package: base-files\nVersion: 12.4+deb12u5\nArchitecture: amd64\nMaintainer: x\n",
            )
            .file("var/lib/dpkg/status.d/base-files.md5sums", b"d41d8cd98f00b204e9800998ecf8427e  etc/issue\n")
            .file(
                "var/lib/dpkg/status.d/libssl3",
                b"Package: libssl3\nVersion: 3.0.11-1~deb12u2\nArchitecture: amd64\nSource: openssl\n",
            ),
    ]);
    let s = sbom(&spec);
    let os = s.os.as_ref().unwrap();
    assert!(os.distroless);
    assert_eq!(os.osv_ecosystem.as_deref(), Some("Debian:12"));
    let got: Vec<(&str, &str, &str)> = s
        .packages
        .iter()
        .map(|p| {
            (
                p.name.as_str(),
                p.version.as_str(),
                p.locations[0].path.as_str(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                "base-files",
                "12.4+deb12u5",
                "/var/lib/dpkg/status.d/base-files"
            ),
            (
                "libssl3",
                "3.0.11-1~deb12u2",
                "/var/lib/dpkg/status.d/libssl3"
            ),
        ]
    );
    assert_eq!(s.packages[1].source_name.as_deref(), Some("openssl"));
    assert_eq!(
        s.packages[1].purl,
        "pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12"
    );
    assert!(s.warnings.is_empty(), "{:?}", s.warnings);
}

#[test]
fn apk_database() {
    let db = b"P:musl\nV:1.2.4-r0\nA:x86_64\nL:MIT\no:musl\nF:lib\nR:ld-musl-x86_64.so.1\n\nP:busybox-binsh\nV:1.36.1-r0\nA:x86_64\nL:GPL-2.0-only\no:busybox\nF:bin\nR:sh\n\n";
    let spec = ImageSpec::new(vec![
        Layer::new()
            .file(
                "etc/os-release",
                b"NAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID=3.18.2\nPRETTY_NAME=\"Alpine Linux v3.18\"\n",
            )
            .file("etc/alpine-release", b"3.18.2\n")
            .file("lib/apk/db/installed", db),
    ]);
    let s = sbom(&spec);
    assert_eq!(
        s.os.as_ref().unwrap().osv_ecosystem.as_deref(),
        Some("Alpine:v3.18")
    );
    assert_eq!(s.packages.len(), 2);
    let bb = &s.packages[0];
    assert_eq!(bb.name, "busybox-binsh");
    assert_eq!(bb.ecosystem, "Alpine:v3.18");
    assert_eq!(
        bb.purl,
        "pkg:apk/alpine/busybox-binsh@1.36.1-r0?arch=x86_64&distro=alpine-3.18.2"
    );
    assert_eq!(bb.source_name.as_deref(), Some("busybox"));
    assert_eq!(bb.licenses, ["GPL-2.0-only"]);
    assert_eq!(bb.files, ["/bin/sh"]);
    assert_eq!(bb.locations[0].path, "/lib/apk/db/installed");
    assert_eq!(bb.locations[0].layer, 0);
}

#[test]
fn hostile_databases_warn_and_keep_the_rest() {
    let mut status = para("good", "1.0", "").into_bytes();
    status.extend_from_slice(b"\nPackage: \xff\xfe\nStatus: install ok installed\n\nnot a field\n");
    let spec = ImageSpec::new(vec![
        Layer::new()
            .file("etc/debian_version", b"12.5\n")
            .file("var/lib/dpkg/status", &status)
            .file("var/lib/dpkg/info/good.list", b"\xff\n/usr/bin/good\n"),
    ]);
    let s = sbom(&spec);
    let os = s.os.as_ref().unwrap();
    assert_eq!(
        (os.id.as_str(), os.osv_ecosystem.as_deref()),
        ("debian", Some("Debian:12"))
    );
    assert_eq!(s.packages.len(), 1);
    assert_eq!(s.packages[0].files, ["/usr/bin/good"]);
    assert!(s.warnings.len() >= 2, "{:?}", s.warnings);
    assert!(
        s.warnings
            .iter()
            .all(|w| w.starts_with("/var/lib/dpkg/status: "))
    );
}

#[test]
fn no_os_no_packages() {
    let s = sbom(&ImageSpec::new(vec![Layer::new().file("app", b"x")]));
    assert!(s.os.is_none() && s.packages.is_empty() && s.warnings.is_empty());
}
