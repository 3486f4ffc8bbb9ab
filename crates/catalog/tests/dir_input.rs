//! `dir:PATH` input: a root filesystem directory through the same walk and
//! catalogers. A synthetic rootfs with links pointing out of it, and (with
//! PALISADE_IMAGES) every image unpacked by `umoci unpack` gives the same
//! inventory as the image itself.

use palisade_catalog::{Sbom, analyzers, build};
use palisade_image::{Analyzer, ImageRef, OpenOptions, WalkOptions, open, walk};
use std::path::{Path, PathBuf};
use std::process::Command;

fn sbom_of(reference: &str) -> Sbom {
    let reference = ImageRef::parse(reference).unwrap();
    let image = open(&reference, &OpenOptions::default()).unwrap();
    let boxed = analyzers();
    let list: Vec<&dyn Analyzer> = boxed.iter().map(|a| a.as_ref()).collect();
    let scan = walk(&image, &list, &WalkOptions::default()).unwrap();
    build(&scan, 0)
}

fn write(path: &Path, text: &[u8]) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

#[test]
fn rootfs_directory() {
    let d = tempfile::tempdir().unwrap();
    let outside = d.path().join("outside");
    write(
        &outside.join("METADATA"),
        b"Metadata-Version: 2.1\nName: secret-outside\nVersion: 6.6.6\n",
    );
    let root = d.path().join("rootfs");
    write(
        &root.join("usr/lib/os-release"),
        b"ID=debian\nVERSION_ID=\"12\"\nVERSION_CODENAME=bookworm\n",
    );
    std::fs::create_dir_all(root.join("etc")).unwrap();
    std::os::unix::fs::symlink("../usr/lib/os-release", root.join("etc/os-release")).unwrap();
    write(
        &root.join("var/lib/dpkg/status"),
        b"Package: bash\nStatus: install ok installed\nArchitecture: amd64\nVersion: 5.2.15-2+b2\n\n",
    );
    let site = root.join("usr/lib/python3/dist-packages");
    write(
        &site.join("requests-2.28.1.dist-info/METADATA"),
        b"Metadata-Version: 2.1\nName: requests\nVersion: 2.28.1\n",
    );
    // Links out of the root: absolute and climbing. Neither may be read.
    std::os::unix::fs::symlink(&outside, site.join("evil-1.0.dist-info")).unwrap();
    std::os::unix::fs::symlink("../../../../../outside", site.join("evil-2.0.dist-info")).unwrap();
    let s = sbom_of(&format!("dir:{}", root.display()));
    let got: Vec<(&str, &str, &str)> = s
        .packages
        .iter()
        .map(|p| (p.ecosystem.as_str(), p.name.as_str(), p.version.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("Debian:12", "bash", "5.2.15-2+b2"),
            ("PyPI", "requests", "2.28.1")
        ]
    );
    assert_eq!(s.os.as_ref().unwrap().id, "debian");

    // Errors name the input.
    let missing = ImageRef::parse(&format!("dir:{}", d.path().join("nope").display())).unwrap();
    let e = open(&missing, &OpenOptions::default())
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("nope"), "{e}");
    assert!(ImageRef::parse("dir:").is_err());
}

/// Every image of PALISADE_IMAGES, unpacked with umoci: the same packages
/// as the image (OS and language).
#[test]
fn unpacked_images_equal_the_images() {
    let Some(root) = std::env::var_os("PALISADE_IMAGES").map(PathBuf::from) else {
        eprintln!(
            "SKIPPED: set PALISADE_IMAGES to a directory made by tools/make-images.sh to compare unpacked images"
        );
        return;
    };
    if Command::new("umoci").arg("--version").output().is_err() {
        if std::env::var("PALISADE_SKIP_PEER_TESTS").as_deref() == Ok("1") {
            eprintln!("SKIPPED: umoci missing, PALISADE_SKIP_PEER_TESTS=1");
            return;
        }
        panic!("umoci missing: apt-get install -y --no-install-recommends umoci");
    }
    let mut compared = 0;
    for entry in std::fs::read_dir(root.join("oci")).unwrap() {
        let layout = entry.unwrap().path();
        let name = layout.file_name().unwrap().to_string_lossy().to_string();
        if !root.join("meta").join(format!("{name}.done")).exists() {
            eprintln!("SKIPPED {name}: no meta/{name}.done (unfinished build)");
            continue;
        }
        let d = tempfile::tempdir().unwrap();
        let bundle = d.path().join("bundle");
        let out = Command::new("umoci")
            .args(["unpack", "--rootless", "--image"])
            .arg(format!("{}:latest", layout.display()))
            .arg(&bundle)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let image = sbom_of(&format!("oci:{}:latest", layout.display()));
        let dir = sbom_of(&format!("dir:{}", bundle.join("rootfs").display()));
        let key = |s: &Sbom| -> Vec<(String, String, String)> {
            s.packages
                .iter()
                .map(|p| (p.ecosystem.clone(), p.name.clone(), p.version.clone()))
                .collect()
        };
        assert_eq!(key(&dir), key(&image), "{name}");
        eprintln!(
            "{name}: {} packages, same from dir: and oci:",
            image.packages.len()
        );
        compared += 1;
    }
    assert!(compared > 0, "no finished image in {}", root.display());
}
