//! The catalogers on the benchmark images of `tools/make-images.sh`.
//!
//! Runs when `PALISADE_IMAGES` names the directory the script wrote; only
//! images marked finished (`meta/NAME.done`) are checked. Without it the
//! test prints SKIPPED and passes.
//!
//! - every image with `meta/NAME.dpkg.txt` (`dpkg-query -W` of the rootfs,
//!   `NAME VERSION` of each `ii` package): the dpkg packages found are
//!   exactly that list;
//! - every image with `meta/NAME.apk.txt` (`P:`/`V:` of the installed
//!   database): the apk packages found are exactly that list;
//! - every image with `meta/NAME.python.txt`, `NAME.npm.txt` or
//!   `NAME.cargo.txt`: the PyPI, npm and crates.io packages found are
//!   exactly those lists (debian12-python-app: no PyJWT, which a whiteout
//!   deleted, and no dpkg-owned Debian dist-info).

use palisade_image::{Analyzer, ImageRef, OpenOptions, WalkOptions, open, walk};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn done_images(root: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(root.join("oci"))
        .unwrap_or_else(|e| panic!("{}/oci: {e}", root.display()))
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| {
            let done = root.join("meta").join(format!("{n}.done")).exists();
            if !done {
                eprintln!("SKIPPED {n}: no meta/{n}.done (unfinished build)");
            }
            done
        })
        .collect();
    names.sort();
    names
}

fn expected(path: &Path) -> BTreeSet<(String, String)> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let (n, v) = l
                .split_once(' ')
                .unwrap_or_else(|| panic!("{}: {l:?}", path.display()));
            (n.to_string(), v.trim().to_string())
        })
        .collect()
}

#[test]
fn package_lists_match_the_built_rootfs() {
    let Some(root) = std::env::var_os("PALISADE_IMAGES").map(PathBuf::from) else {
        eprintln!(
            "SKIPPED: set PALISADE_IMAGES to a directory made by tools/make-images.sh (e.g. /work/images) to run the acceptance tests"
        );
        return;
    };
    let mut checked = 0;
    for name in done_images(&root) {
        let meta = root.join("meta");
        let dpkg_txt = meta.join(format!("{name}.dpkg.txt"));
        let apk_txt = meta.join(format!("{name}.apk.txt"));
        if !dpkg_txt.exists() && !apk_txt.exists() {
            eprintln!("{name}: no dpkg.txt or apk.txt, nothing to compare");
            continue;
        }
        let reference = ImageRef::parse(&format!(
            "oci:{}:latest",
            root.join("oci").join(&name).display()
        ))
        .unwrap();
        let image = open(&reference, &OpenOptions::default()).unwrap();
        let boxed = palisade_catalog::analyzers();
        let list: Vec<&dyn Analyzer> = boxed.iter().map(|a| a.as_ref()).collect();
        let scan = walk(&image, &list, &WalkOptions::default()).unwrap();
        let sbom = palisade_catalog::build(&scan, 0);
        for (file, kind) in [(&dpkg_txt, "pkg:deb/"), (&apk_txt, "pkg:apk/")] {
            if !file.exists() {
                continue;
            }
            let want = expected(file);
            let got: BTreeSet<(String, String)> = sbom
                .packages
                .iter()
                .filter(|p| p.purl.starts_with(kind))
                .map(|p| (p.name.clone(), p.version.clone()))
                .collect();
            let missing: Vec<_> = want.difference(&got).collect();
            let extra: Vec<_> = got.difference(&want).collect();
            assert!(
                missing.is_empty() && extra.is_empty(),
                "{name}: missing {missing:?}, extra {extra:?}"
            );
            // One entry per name and arch: no duplicates hide in the set.
            let n = sbom
                .packages
                .iter()
                .filter(|p| p.purl.starts_with(kind))
                .count();
            assert_eq!(n, want.len(), "{name}: duplicate packages");
            eprintln!(
                "{name}: {} {} packages match {} (os {:?}, {} warnings)",
                n,
                kind.trim_start_matches("pkg:").trim_end_matches('/'),
                file.file_name().unwrap().to_string_lossy(),
                sbom.os.as_ref().and_then(|o| o.osv_ecosystem.clone()),
                sbom.warnings.len()
            );
            assert!(sbom.warnings.is_empty(), "{name}: {:?}", sbom.warnings);
            assert!(
                sbom.os
                    .as_ref()
                    .and_then(|o| o.osv_ecosystem.as_ref())
                    .is_some(),
                "{name}: no ecosystem"
            );
            checked += 1;
        }
    }
    assert!(checked > 0, "no image had a package list to compare");
}

/// `meta/NAME.python.txt` lists `NAME-VERSION.dist-info` directories.
fn expected_python(path: &Path) -> BTreeSet<(String, String)> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let stem = l.trim().trim_end_matches(".dist-info");
            let (n, v) = stem
                .split_once('-')
                .unwrap_or_else(|| panic!("{}: {l:?}", path.display()));
            (palisade_catalog::python::normalize(n), v.to_string())
        })
        .collect()
}

/// The language catalogers: for every image with `meta/NAME.python.txt`
/// (the `*.dist-info` directories pip installed, not Debian's own),
/// `meta/NAME.npm.txt` and `meta/NAME.cargo.txt` (`NAME VERSION` lines),
/// the PyPI, npm and crates.io packages found are exactly those lists.
#[test]
fn language_packages_match_the_built_rootfs() {
    let Some(root) = std::env::var_os("PALISADE_IMAGES").map(PathBuf::from) else {
        eprintln!(
            "SKIPPED: set PALISADE_IMAGES to a directory made by tools/make-images.sh (e.g. /work/images) to run the acceptance tests"
        );
        return;
    };
    let mut checked = 0;
    for name in done_images(&root) {
        let meta = root.join("meta");
        let lists = [("python", "PyPI"), ("npm", "npm"), ("cargo", "crates.io")]
            .map(|(kind, eco)| (meta.join(format!("{name}.{kind}.txt")), kind, eco));
        if !lists.iter().any(|(f, _, _)| f.exists()) {
            continue;
        }
        let reference = ImageRef::parse(&format!(
            "oci:{}:latest",
            root.join("oci").join(&name).display()
        ))
        .unwrap();
        let image = open(&reference, &OpenOptions::default()).unwrap();
        let boxed = palisade_catalog::analyzers();
        let list: Vec<&dyn Analyzer> = boxed.iter().map(|a| a.as_ref()).collect();
        let scan = walk(&image, &list, &WalkOptions::default()).unwrap();
        let sbom = palisade_catalog::build(&scan, 0);
        assert!(sbom.warnings.is_empty(), "{name}: {:?}", sbom.warnings);
        for (file, kind, eco) in &lists {
            let of_kind: Vec<_> = sbom
                .packages
                .iter()
                .filter(|p| p.ecosystem == *eco)
                .collect();
            if !file.exists() {
                continue;
            }
            let (want, got): (BTreeSet<_>, BTreeSet<_>) = if *kind == "python" {
                (
                    expected_python(file),
                    of_kind
                        .iter()
                        .map(|p| {
                            (
                                palisade_catalog::python::normalize(&p.name),
                                p.version.clone(),
                            )
                        })
                        .collect(),
                )
            } else {
                (
                    expected(file),
                    of_kind
                        .iter()
                        .map(|p| (p.name.clone(), p.version.clone()))
                        .collect(),
                )
            };
            let missing: Vec<_> = want.difference(&got).collect();
            let extra: Vec<_> = got.difference(&want).collect();
            assert!(
                missing.is_empty() && extra.is_empty(),
                "{name} {kind}: missing {missing:?}, extra {extra:?}"
            );
            assert_eq!(of_kind.len(), want.len(), "{name} {kind}: duplicates");
            eprintln!(
                "{name}: {} {eco} packages match {}",
                of_kind.len(),
                file.file_name().unwrap().to_string_lossy()
            );
            checked += 1;
        }
        if name == "debian12-python-app" {
            assert!(
                !sbom
                    .packages
                    .iter()
                    .any(|p| p.name.eq_ignore_ascii_case("pyjwt")),
                "PyJWT was deleted by a whiteout"
            );
            assert!(
                !sbom.packages.iter().any(|p| p.ecosystem == "PyPI"
                    && p.locations[0].path.starts_with("/usr/lib/python3/")),
                "dpkg-owned dist-info reported"
            );
        }
    }
    assert!(
        checked > 0,
        "no image had a language package list to compare"
    );
}
