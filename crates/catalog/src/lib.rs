//! Package catalogers: what is installed in an image, read during the
//! one-pass layer walk.
//!
//! Each cataloger is a [`palisade_image::Analyzer`] that parses its files
//! as the layers stream past ([`os`], [`dpkg`], [`apk`], and the language
//! packages [`python`], [`npm`], [`cargo`], [`composer`], [`golang`], and [`rpm`]); [`build`] then
//! takes the outputs for the versions of those files that are visible in
//! the final filesystem and turns them into [`Package`]s.

pub mod apk;
pub mod cargo;
pub mod composer;
pub mod dotnet;
pub mod dpkg;
pub mod dpkg_copyright;
pub mod elf;
pub mod gem;
pub mod gemfile_lock;
pub mod golang;
pub mod golang_pointers;
pub mod java;
pub mod manifest;
pub mod npm;
pub mod os;
pub mod pipfile_lock;
pub mod pnpm;
pub mod poetry_lock;
pub mod python;
pub mod rpm;
pub mod rust_binary;
pub mod uv_lock;
pub mod yarn;

use apk::{ApkAnalyzer, ApkFile};
use cargo::{CargoAnalyzer, CargoFile};
use composer::{ComposerAnalyzer, ComposerFile};
use dpkg::{DpkgAnalyzer, DpkgFile, DpkgRecord};
use golang::{GoAnalyzer, GoFile};
use java::{JavaAnalyzer, JavaFile};
use manifest::ManifestFile;
use npm::{NpmAnalyzer, NpmFile};
use os::{OsAnalyzer, OsInfo};
use palisade_image::{Analysis, Analyzer, EntryKind, Scan};
use palisade_model::package::purl;
use palisade_model::{Package, PackageLocation};
use python::{PythonAnalyzer, PythonFile};
use rpm::{RpmAnalyzer, RpmFile};
use rust_binary::{RustBinaryAnalyzer, RustFile};
use serde::Serialize;
use std::collections::{HashMap, HashSet};

/// The catalogers' analyzers, in the order [`build`] expects them.
pub fn analyzers() -> Vec<Box<dyn Analyzer>> {
    vec![
        Box::new(OsAnalyzer),
        Box::new(DpkgAnalyzer),
        Box::new(ApkAnalyzer),
        Box::new(PythonAnalyzer),
        Box::new(NpmAnalyzer),
        Box::new(CargoAnalyzer),
        Box::new(ComposerAnalyzer),
        Box::new(RpmAnalyzer),
        Box::new(GoAnalyzer),
        Box::new(RustBinaryAnalyzer),
        Box::new(JavaAnalyzer),
        Box::new(yarn::CATALOGER),
        Box::new(pnpm::CATALOGER),
        Box::new(gem::CATALOGER),
        Box::new(dotnet::CATALOGER),
        Box::new(dpkg_copyright::DpkgCopyrightAnalyzer),
        Box::new(gemfile_lock::CATALOGER),
        Box::new(poetry_lock::CATALOGER),
        Box::new(pipfile_lock::CATALOGER),
        Box::new(uv_lock::CATALOGER),
    ]
}

/// Most warnings kept per file (a corrupt file could otherwise make one per entry).
pub(crate) const MAX_WARNINGS: usize = 20;
/// Longest field value kept (a hostile file can have a 64 MiB "version").
pub(crate) const MAX_FIELD: usize = 4096;

/// `s` trimmed and cut at [`MAX_FIELD`] bytes.
pub(crate) fn bounded(s: &str) -> String {
    let s = s.trim();
    let mut end = s.len().min(MAX_FIELD);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].to_string()
}

/// `s` without control characters, at most 80 of them, for a warning.
pub(crate) fn short(s: &str) -> String {
    s.chars().filter(|c| !c.is_control()).take(80).collect()
}

/// The inventory of an image.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Sbom {
    pub os: Option<OsInfo>,
    pub packages: Vec<Package>,
    pub warnings: Vec<String>,
}

/// Builds the inventory from a scan that ran [`analyzers`] starting at
/// index `first_analyzer_index` of its analyzer list.
pub fn build(scan: &Scan, first_analyzer_index: usize) -> Sbom {
    let os_index = first_analyzer_index;
    let dpkg_index = first_analyzer_index + 1;
    let apk_index = first_analyzer_index + 2;
    let python_index = first_analyzer_index + 3;
    let npm_index = first_analyzer_index + 4;
    let cargo_index = first_analyzer_index + 5;
    let composer_index = first_analyzer_index + 6;
    let rpm_index = first_analyzer_index + 7;
    let go_index = first_analyzer_index + 8;
    let rust_binary_index = first_analyzer_index + 9;
    let java_index = first_analyzer_index + 10;
    let yarn_index = first_analyzer_index + 11;
    let pnpm_index = first_analyzer_index + 12;
    let gem_index = first_analyzer_index + 13;
    let dotnet_index = first_analyzer_index + 14;
    let copyright_index = first_analyzer_index + 15;
    let gemfile_lock_index = first_analyzer_index + 16;
    let poetry_lock_index = first_analyzer_index + 17;
    let pipfile_lock_index = first_analyzer_index + 18;
    let uv_lock_index = first_analyzer_index + 19;
    let mut sbom = Sbom {
        os: os::detect(scan, os_index),
        ..Sbom::default()
    };
    let mut os_owned = dpkg_packages(scan, dpkg_index, &mut sbom);
    dpkg_licenses(scan, copyright_index, &mut sbom);
    apk_packages(scan, apk_index, &mut sbom);
    rpm_packages(scan, rpm_index, &mut sbom);
    // apk and rpm packages carry their owned files: a language package
    // whose metadata or binary an OS package installed is reported once,
    // as the OS package (as for dpkg's `.list` files).
    let listed: Vec<String> = sbom
        .packages
        .iter()
        .flat_map(|p| p.files.iter().cloned())
        .collect();
    os_owned.extend(listed.iter().map(String::as_str));
    python_packages(scan, python_index, &os_owned, &mut sbom);
    npm_packages(scan, npm_index, &mut sbom);
    cargo_packages(scan, cargo_index, &mut sbom);
    composer_packages(scan, composer_index, &mut sbom);
    go_packages(scan, go_index, &os_owned, &mut sbom);
    rust_binary_packages(scan, rust_binary_index, &os_owned, &mut sbom);
    java_packages(scan, java_index, &os_owned, &mut sbom);
    // A package both installed (node_modules) and in a yarn/pnpm lock file
    // of the same project is reported once, from what is installed.
    let installed_npm: HashSet<(String, String, String)> = sbom
        .packages
        .iter()
        .filter(|p| p.ecosystem == "npm")
        .filter_map(|p| {
            let path = &p.locations.first()?.path;
            let project = &path[..path.find("node_modules/")?];
            Some((project.to_string(), p.name.clone(), p.version.clone()))
        })
        .collect();
    for (index, lock) in [(yarn_index, "yarn.lock"), (pnpm_index, "pnpm-lock.yaml")] {
        listed_packages(scan, index, "npm", &os_owned, &mut sbom, |path, p| {
            let project = format!("/{}", path.strip_suffix(lock).unwrap_or(path));
            (!installed_npm.contains(&(project, p.name.clone(), p.version.clone())))
                .then(|| npm_purl(&p.name, &p.version))
        });
    }
    listed_packages(scan, gem_index, "RubyGems", &os_owned, &mut sbom, |_, p| {
        Some(purl("gem", "", &p.name, &p.version, &[]))
    });
    // A gem both installed (a gemspec) and locked is reported once, as installed.
    let installed_gems: HashSet<(String, String)> = sbom
        .packages
        .iter()
        .filter(|p| p.ecosystem == "RubyGems")
        .map(|p| (p.name.clone(), p.version.clone()))
        .collect();
    listed_packages(
        scan,
        gemfile_lock_index,
        "RubyGems",
        &os_owned,
        &mut sbom,
        |_, p| {
            (!installed_gems.contains(&(p.name.clone(), p.version.clone())))
                .then(|| purl("gem", "", &p.name, &p.version, &[]))
        },
    );
    // Python lock files: a distribution also installed (its dist-info, same
    // normalised name and version) is reported once, as installed.
    let installed_python: HashSet<(String, String)> = sbom
        .packages
        .iter()
        .filter(|p| p.ecosystem == "PyPI")
        .map(|p| (python::normalize(&p.name), p.version.clone()))
        .collect();
    for index in [poetry_lock_index, pipfile_lock_index, uv_lock_index] {
        listed_packages(scan, index, "PyPI", &os_owned, &mut sbom, |_, p| {
            let name = python::normalize(&p.name);
            (!installed_python.contains(&(name.clone(), p.version.clone())))
                .then(|| purl("pypi", "", &name, &p.version, &[]))
        });
    }
    listed_packages(scan, dotnet_index, "NuGet", &os_owned, &mut sbom, |_, p| {
        Some(purl("nuget", "", &p.name, &p.version, &[]))
    });
    // An rpm database directory without any database file we read.
    for db in rpm::DB_DIRS {
        let is_dir = scan
            .fs
            .resolve(db)
            .is_some_and(|(_, n)| n.kind == EntryKind::Dir);
        let has_db = ["rpmdb.sqlite", "Packages", "Packages.db"].iter().any(|f| {
            scan.fs
                .resolve(&format!("{db}/{f}"))
                .is_some_and(|(_, n)| n.kind == EntryKind::File)
        });
        if is_dir && !has_db {
            sbom.warnings.push(format!(
                "/{db}: no rpm database file (rpmdb.sqlite, Packages, Packages.db): rpm packages may be missing from this inventory"
            ));
            break;
        }
    }
    sbom.packages.sort_by(|a, b| {
        (&a.ecosystem, &a.name, &a.version, &a.arch).cmp(&(
            &b.ecosystem,
            &b.name,
            &b.version,
            &b.arch,
        ))
    });
    sbom
}

/// (purl namespace, distro qualifier, ecosystem) for the detected OS, or
/// the defaults of the package type.
fn distro(
    os: Option<&OsInfo>,
    default_id: &str,
    default_ecosystem: &str,
) -> (String, Option<String>, String) {
    match os {
        Some(os) => (
            os.id.clone(),
            os.version_id.as_ref().map(|v| format!("{}-{v}", os.id)),
            os.osv_ecosystem
                .clone()
                .unwrap_or_else(|| default_ecosystem.to_string()),
        ),
        None => (default_id.to_string(), None, default_ecosystem.to_string()),
    }
}

/// Adds the dpkg packages; returns every path (leading `/`) that a
/// visible `.list` file lists, for the language catalogers to skip what an
/// OS package owns.
fn dpkg_packages<'a>(scan: &'a Scan, analyzer: usize, sbom: &mut Sbom) -> HashSet<&'a str> {
    let mut records: Vec<(DpkgRecord, PackageLocation)> = Vec::new();
    let mut lists: HashMap<(String, Option<String>), &Vec<String>> = HashMap::new();
    for (path, node) in scan.fs.iter() {
        if !path.starts_with("var/lib/dpkg/") || node.kind != EntryKind::File {
            continue;
        }
        let Some(out) = scan.analysis(path, analyzer) else {
            continue;
        };
        let Some(file) = out.downcast_ref::<DpkgFile>() else {
            continue;
        };
        let location = PackageLocation {
            path: format!("/{path}"),
            layer: node.layer,
        };
        match file {
            DpkgFile::Status { packages, warnings } => {
                for w in warnings {
                    sbom.warnings.push(format!("/{path}: {w}"));
                }
                records.extend(packages.iter().map(|r| (r.clone(), location.clone())));
            }
            DpkgFile::List(files) => {
                if let Some((name, arch)) = dpkg::list_owner(path) {
                    lists.insert((name.to_string(), arch.map(str::to_string)), files);
                }
            }
            DpkgFile::TooLarge(size) => sbom
                .warnings
                .push(format!("/{path}: {size} bytes, too large to read: skipped")),
        }
    }
    let listed: HashSet<&str> = lists
        .values()
        .flat_map(|files| files.iter().map(String::as_str))
        .collect();
    if records.is_empty() {
        return listed;
    }
    let (namespace, distro_q, ecosystem) = distro(sbom.os.as_ref(), "debian", "Debian");
    if sbom.os.is_none() {
        sbom.warnings
            .push("dpkg packages found but no OS detected: ecosystem Debian assumed".to_string());
    }
    for (r, location) in records {
        let files = lists
            .get(&(r.name.clone(), r.arch.clone()))
            .or_else(|| lists.get(&(r.name.clone(), None)))
            .map(|files| owned_files(scan, files))
            .unwrap_or_default();
        sbom.packages.push(Package {
            purl: purl(
                "deb",
                &namespace,
                &r.name,
                &r.version,
                &[("arch", r.arch.as_deref()), ("distro", distro_q.as_deref())],
            ),
            ecosystem: ecosystem.clone(),
            name: r.name,
            version: r.version,
            arch: r.arch,
            source_name: Some(r.source_name),
            source_version: Some(r.source_version),
            licenses: Vec::new(),
            locations: vec![location],
            files,
        });
    }
    listed
}

/// The listed paths that are not directories: neither a directory in the
/// final filesystem nor the parent of another listed path (a layer need not
/// have entries for its directories).
fn owned_files(scan: &Scan, files: &[String]) -> Vec<String> {
    let mut parents: HashSet<&str> = HashSet::new();
    for f in files {
        let mut p = f.as_str();
        while let Some((parent, _)) = p.rsplit_once('/') {
            if !parents.insert(parent) {
                break;
            }
            p = parent;
        }
    }
    files
        .iter()
        .filter(|f| !parents.contains(f.as_str()))
        .filter(|f| scan.fs.get(f).is_none_or(|n| n.kind != EntryKind::Dir))
        .cloned()
        .collect()
}

fn apk_packages(scan: &Scan, analyzer: usize, sbom: &mut Sbom) {
    let Some(node) = scan.fs.get(apk::INSTALLED) else {
        return;
    };
    let Some(file) = scan
        .analysis(apk::INSTALLED, analyzer)
        .and_then(|a| a.downcast_ref::<ApkFile>())
    else {
        return;
    };
    let location = PackageLocation {
        path: format!("/{}", apk::INSTALLED),
        layer: node.layer,
    };
    let packages = match file {
        ApkFile::TooLarge(size) => {
            sbom.warnings.push(format!(
                "/{}: {size} bytes, too large to read: skipped",
                apk::INSTALLED
            ));
            return;
        }
        ApkFile::Installed { packages, warnings } => {
            for w in warnings {
                sbom.warnings.push(format!("/{}: {w}", apk::INSTALLED));
            }
            packages
        }
    };
    if packages.is_empty() {
        return;
    }
    let (namespace, distro_q, ecosystem) = distro(sbom.os.as_ref(), "alpine", "Alpine");
    if sbom.os.is_none() {
        sbom.warnings
            .push("apk packages found but no OS detected: ecosystem Alpine assumed".to_string());
    }
    for r in packages {
        sbom.packages.push(Package {
            name: r.name.clone(),
            version: r.version.clone(),
            ecosystem: ecosystem.clone(),
            purl: purl(
                "apk",
                &namespace,
                &r.name,
                &r.version,
                &[("arch", r.arch.as_deref()), ("distro", distro_q.as_deref())],
            ),
            arch: r.arch.clone(),
            source_name: Some(r.origin.clone().unwrap_or_else(|| r.name.clone())),
            source_version: Some(r.version.clone()),
            licenses: r.license.iter().cloned().collect(),
            locations: vec![location.clone()],
            files: r.files.clone(),
        });
    }
}

/// rpm packages from every visible rpm database (a package listed by two
/// databases, which an image should not have, is reported once).
fn rpm_packages(scan: &Scan, analyzer: usize, sbom: &mut Sbom) {
    let mut seen: HashSet<(String, String, Option<String>)> = HashSet::new();
    for (path, layer, out) in visible(scan, analyzer) {
        let with_wal;
        let out = match out.downcast_ref::<RpmFile>() {
            Some(RpmFile::Wal(_)) => continue,
            Some(RpmFile::Sqlite { read, raw }) => {
                // Rows written since the last checkpoint are only in the WAL.
                let wal = format!("{path}-wal");
                match scan
                    .analysis(&wal, analyzer)
                    .and_then(|w| w.downcast_ref::<RpmFile>())
                {
                    Some(RpmFile::Wal(w)) if !w.is_empty() => {
                        with_wal = rpm::read_sqlite_with_wal(raw, w);
                        if let RpmFile::Invalid(e) = &with_wal {
                            sbom.warnings.push(format!(
                                "/{wal}: not read ({e}): rpm packages installed since the last checkpoint may be missing"
                            ));
                            Some(read.as_ref())
                        } else {
                            Some(&with_wal)
                        }
                    }
                    _ => Some(read.as_ref()),
                }
            }
            other => other,
        };
        let packages = match out {
            Some(RpmFile::Packages { packages, warnings }) => {
                for w in warnings {
                    sbom.warnings.push(format!("/{path}: {w}"));
                }
                packages
            }
            Some(RpmFile::Invalid(e)) => {
                sbom.warnings.push(format!(
                    "/{path}: unreadable rpm database: {e}: rpm packages are missing from this inventory"
                ));
                continue;
            }
            Some(RpmFile::TooLarge(size)) => {
                sbom.warnings
                    .push(format!("/{path}: {size} bytes, too large to read: skipped"));
                continue;
            }
            Some(RpmFile::Sqlite { .. } | RpmFile::Wal(_)) | None => continue,
        };
        if packages.is_empty() {
            continue;
        }
        let (namespace, distro_q, ecosystem) = distro(sbom.os.as_ref(), "redhat", "Red Hat");
        if sbom.os.is_none() {
            sbom.warnings.push(
                "rpm packages found but no OS detected: ecosystem Red Hat assumed".to_string(),
            );
        }
        for h in packages {
            let version = rpm::evr(h);
            if !seen.insert((h.name.clone(), version.clone(), h.arch.clone())) {
                continue;
            }
            let epoch = h.epoch.filter(|e| *e > 0).map(|e| e.to_string());
            let (source_name, source_version) =
                match h.source_rpm.as_deref().and_then(rpm::split_source_rpm) {
                    Some((n, v)) => (Some(n), Some(v)),
                    None => (None, None),
                };
            sbom.packages.push(Package {
                purl: purl(
                    "rpm",
                    &namespace,
                    &h.name,
                    &format!("{}-{}", h.version, h.release),
                    &[
                        ("arch", h.arch.as_deref()),
                        ("distro", distro_q.as_deref()),
                        ("epoch", epoch.as_deref()),
                    ],
                ),
                ecosystem: ecosystem.clone(),
                name: h.name.clone(),
                version,
                arch: h.arch.clone(),
                source_name,
                source_version,
                licenses: h.license.iter().cloned().collect(),
                locations: vec![location(path, layer)],
                files: h.files.clone(),
            });
        }
    }
}

/// The outputs of `analyzer` for the files visible in the final
/// filesystem, as (path without a leading `/`, layer, output), by path.
fn visible(scan: &Scan, analyzer: usize) -> Vec<(&str, usize, &Analysis)> {
    let mut out = Vec::new();
    for (layer, contents) in scan.layers.iter().enumerate() {
        for (path, outputs) in &contents.analyses {
            let Some((_, a)) = outputs.iter().find(|(i, _)| *i == analyzer) else {
                continue;
            };
            if scan
                .fs
                .get(path)
                .is_some_and(|n| n.layer == layer && n.kind == EntryKind::File)
            {
                out.push((path.as_str(), layer, a));
            }
        }
    }
    out.sort_by(|a, b| a.0.cmp(b.0));
    out
}

fn location(path: &str, layer: usize) -> PackageLocation {
    PackageLocation {
        path: format!("/{path}"),
        layer,
    }
}

/// A language package: no arch, no source package, no owned files.
fn lang_package(
    ecosystem: &str,
    purl: String,
    name: &str,
    version: &str,
    licenses: &[String],
    location: PackageLocation,
) -> Package {
    Package {
        name: name.to_string(),
        version: version.to_string(),
        ecosystem: ecosystem.to_string(),
        purl,
        arch: None,
        source_name: None,
        source_version: None,
        licenses: licenses.to_vec(),
        locations: vec![location],
        files: Vec::new(),
    }
}

/// Python distributions, except those whose metadata file an OS package
/// owns (the OS package is what the OS vulnerability feed covers;
/// reporting both double-counts).
fn python_packages(scan: &Scan, analyzer: usize, os_owned: &HashSet<&str>, sbom: &mut Sbom) {
    for (path, layer, out) in visible(scan, analyzer) {
        let Some(file) = out.downcast_ref::<PythonFile>() else {
            continue;
        };
        match file {
            PythonFile::Dist(d) => {
                if os_owned.contains(format!("/{path}").as_str()) {
                    continue;
                }
                let purl = purl("pypi", "", &python::normalize(&d.name), &d.version, &[]);
                sbom.packages.push(lang_package(
                    "PyPI",
                    purl,
                    &d.name,
                    &d.version,
                    &d.licenses,
                    location(path, layer),
                ));
            }
            PythonFile::Invalid(e) => sbom.warnings.push(format!("/{path}: {e}: skipped")),
            PythonFile::TooLarge(size) => sbom
                .warnings
                .push(format!("/{path}: {size} bytes, too large to read: skipped")),
        }
    }
}

fn npm_purl(name: &str, version: &str) -> String {
    match name.split_once('/') {
        Some((scope, name)) if scope.starts_with('@') => purl("npm", scope, name, version, &[]),
        _ => purl("npm", "", name, version, &[]),
    }
}

/// npm packages: every installed `node_modules/…/package.json`; plus, in a
/// project npm ≥ 7 installed (`DIR/node_modules/.package-lock.json`), the
/// hidden lock's entries that are installed (their directory is in the
/// image) but whose `package.json` was not read; plus, in a project
/// without a hidden lock file, the `DIR/package-lock.json` entries whose
/// install path has no visible installed `package.json`. A package is
/// reported once, from its `package.json` when there is one (what runs).
fn npm_packages(scan: &Scan, analyzer: usize, sbom: &mut Sbom) {
    let files = visible(scan, analyzer);
    let installed: HashSet<&str> = files
        .iter()
        .filter(|(_, _, out)| matches!(out.downcast_ref::<NpmFile>(), Some(NpmFile::Installed(_))))
        .map(|(path, _, _)| *path)
        .collect();
    // Projects whose install npm recorded: their package-lock.json entries
    // that are not installed were left out on purpose (`--omit=dev`,
    // optional packages of other platforms).
    let hidden: HashSet<&str> = files
        .iter()
        .filter(|(_, _, out)| {
            matches!(
                out.downcast_ref::<NpmFile>(),
                Some(NpmFile::HiddenLock { .. })
            )
        })
        .filter_map(|(path, _, _)| npm::hidden_lock_project(path))
        .collect();
    for (path, layer, out) in &files {
        let Some(file) = out.downcast_ref::<NpmFile>() else {
            continue;
        };
        match file {
            NpmFile::Installed(p) => sbom.packages.push(lang_package(
                "npm",
                npm_purl(&p.name, &p.version),
                &p.name,
                &p.version,
                &p.licenses,
                location(path, *layer),
            )),
            NpmFile::NotAPackage => {}
            NpmFile::Lock { entries, warnings } => {
                for w in warnings {
                    sbom.warnings.push(format!("/{path}: {w}"));
                }
                let dir = path.strip_suffix("package-lock.json").unwrap_or("");
                if hidden.contains(dir) {
                    continue;
                }
                for e in entries {
                    if installed.contains(format!("{dir}{}/package.json", e.path).as_str()) {
                        continue;
                    }
                    let p = &e.package;
                    sbom.packages.push(lang_package(
                        "npm",
                        npm_purl(&p.name, &p.version),
                        &p.name,
                        &p.version,
                        &p.licenses,
                        location(path, *layer),
                    ));
                }
            }
            NpmFile::HiddenLock { entries, warnings } => {
                for w in warnings {
                    sbom.warnings.push(format!("/{path}: {w}"));
                }
                let dir = npm::hidden_lock_project(path).unwrap_or("");
                let present = directories_below(scan, &format!("{dir}node_modules"));
                for e in entries {
                    let at = format!("{dir}{}", e.path);
                    // Reported from its package.json; or removed after the
                    // install (a later layer), so not installed.
                    if installed.contains(format!("{at}/package.json").as_str())
                        || !present.contains(at.as_str())
                    {
                        continue;
                    }
                    let p = &e.package;
                    sbom.packages.push(lang_package(
                        "npm",
                        npm_purl(&p.name, &p.version),
                        &p.name,
                        &p.version,
                        &p.licenses,
                        location(path, *layer),
                    ));
                }
            }
            NpmFile::Invalid(e) => sbom.warnings.push(format!("/{path}: {e}: skipped")),
            NpmFile::TooLarge(size) => sbom
                .warnings
                .push(format!("/{path}: {size} bytes, too large to read: skipped")),
        }
    }
}

/// Every directory below `root` that is visible or holds something
/// visible (a layer need not have entries for its directories).
fn directories_below<'a>(scan: &'a Scan, root: &str) -> HashSet<&'a str> {
    let prefix = format!("{root}/");
    let mut dirs = HashSet::new();
    for (path, node) in scan.fs.iter().filter(|(p, _)| p.starts_with(&prefix)) {
        if node.kind == EntryKind::Dir {
            dirs.insert(path);
        }
        let mut p = path;
        while let Some((parent, _)) = p.rsplit_once('/') {
            if parent.len() < prefix.len() || !dirs.insert(parent) {
                break;
            }
            p = parent;
        }
    }
    dirs
}

/// Every `[[package]]` of every visible `Cargo.lock`, the root crate and
/// path dependencies (no `source`) included.
fn cargo_packages(scan: &Scan, analyzer: usize, sbom: &mut Sbom) {
    for (path, layer, out) in visible(scan, analyzer) {
        match out.downcast_ref::<CargoFile>() {
            Some(CargoFile::Lock(crates)) => {
                for c in crates {
                    sbom.packages.push(lang_package(
                        "crates.io",
                        purl("cargo", "", &c.name, &c.version, &[]),
                        &c.name,
                        &c.version,
                        &[],
                        location(path, layer),
                    ));
                }
            }
            Some(CargoFile::Invalid(e)) => sbom.warnings.push(format!("/{path}: {e}: skipped")),
            Some(CargoFile::TooLarge(size)) => sbom
                .warnings
                .push(format!("/{path}: {size} bytes, too large to read: skipped")),
            None => {}
        }
    }
}

/// Go binaries' modules and standard library, except binaries an OS
/// package owns (as for Python: the OS package is what its distribution's
/// feed covers). A replaced module is reported as its replacement, the
/// code that was built, unless the replacement is a local directory
/// (no version): then as the module it stands for.
fn go_packages(scan: &Scan, analyzer: usize, os_owned: &HashSet<&str>, sbom: &mut Sbom) {
    for (path, layer, out) in visible(scan, analyzer) {
        if os_owned.contains(format!("/{path}").as_str()) {
            continue;
        }
        let info = match out.downcast_ref::<GoFile>() {
            Some(GoFile::Binary(info)) => info,
            Some(GoFile::Invalid(e)) => {
                sbom.warnings
                    .push(format!("/{path}: Go binary: {e}: skipped"));
                continue;
            }
            Some(GoFile::TooLarge(size)) => {
                sbom.warnings.push(format!(
                    "/{path}: {size} bytes, too large to read: a Go binary in it would be missed"
                ));
                continue;
            }
            None => continue,
        };
        let mut add = |name: &str, version: &str| {
            sbom.packages.push(lang_package(
                "Go",
                golang::golang_purl(name, version),
                name,
                version,
                &[],
                location(path, layer),
            ));
        };
        let stdlib = info
            .go_version
            .strip_prefix("go")
            .unwrap_or(&info.go_version);
        // A toolchain suffix (`go1.21.0 X:boringcrypto`) is not a version.
        add("stdlib", stdlib.split_whitespace().next().unwrap_or(stdlib));
        for m in info.main.iter().chain(&info.deps) {
            match &m.replaced_by {
                Some((p, v)) if !v.is_empty() => add(p, v),
                _ if !m.path.is_empty() => add(&m.path, &m.version),
                _ => {}
            }
        }
    }
}

/// The crates compiled into cargo-auditable binaries (not OS-owned ones,
/// as for Go): build-only crates (build scripts, proc macros) are not in
/// the binary and `local` crates (path dependencies, the workspace's own)
/// are not published crates, so neither is reported.
fn rust_binary_packages(scan: &Scan, analyzer: usize, os_owned: &HashSet<&str>, sbom: &mut Sbom) {
    for (path, layer, out) in visible(scan, analyzer) {
        if os_owned.contains(format!("/{path}").as_str()) {
            continue;
        }
        match out.downcast_ref::<RustFile>() {
            Some(RustFile::Crates(crates)) => {
                for c in crates
                    .iter()
                    .filter(|c| !c.build_only && c.source != "local")
                {
                    sbom.packages.push(lang_package(
                        "crates.io",
                        purl("cargo", "", &c.name, &c.version, &[]),
                        &c.name,
                        &c.version,
                        &[],
                        location(path, layer),
                    ));
                }
            }
            Some(RustFile::Invalid(e)) => sbom.warnings.push(format!("/{path}: {e}: skipped")),
            Some(RustFile::TooLarge(_)) | None => {}
        }
    }
}

/// Java archives and the archives nested in them (not OS-owned ones, as
/// for Python). The location of a nested archive's package is
/// `/OUTER!/INNER`, Java's own jar-URL notation.
fn java_packages(scan: &Scan, analyzer: usize, os_owned: &HashSet<&str>, sbom: &mut Sbom) {
    for (path, layer, out) in visible(scan, analyzer) {
        if os_owned.contains(format!("/{path}").as_str()) {
            continue;
        }
        match out.downcast_ref::<JavaFile>() {
            Some(JavaFile::Archive { packages, warnings }) => {
                for w in warnings {
                    sbom.warnings.push(format!("/{path}: {w}"));
                }
                for p in packages {
                    let (name, purl) = match &p.group {
                        Some(g) => (
                            format!("{g}:{}", p.artifact),
                            purl("maven", g, &p.artifact, &p.version, &[]),
                        ),
                        None => (
                            p.artifact.clone(),
                            purl("maven", "", &p.artifact, &p.version, &[]),
                        ),
                    };
                    let mut loc = location(path, layer);
                    if !p.inner.is_empty() {
                        loc.path = format!("{}!/{}", loc.path, p.inner);
                    }
                    sbom.packages
                        .push(lang_package("Maven", purl, &name, &p.version, &[], loc));
                }
            }
            Some(JavaFile::TooLarge(size)) => sbom
                .warnings
                .push(format!("/{path}: {size} bytes, too large to read: skipped")),
            None => {}
        }
    }
}

/// Licenses of dpkg packages from their machine-readable
/// `usr/share/doc/NAME/copyright` (for packages whose database gave none).
fn dpkg_licenses(scan: &Scan, analyzer: usize, sbom: &mut Sbom) {
    let mut by_package: HashMap<&str, &Vec<String>> = HashMap::new();
    for (path, _, out) in visible(scan, analyzer) {
        if let (Some(name), Some(c)) = (
            dpkg_copyright::package_of(path),
            out.downcast_ref::<dpkg_copyright::Copyright>(),
        ) && !c.0.is_empty()
        {
            by_package.insert(name, &c.0);
        }
    }
    for p in sbom.packages.iter_mut() {
        if p.purl.starts_with("pkg:deb/")
            && p.licenses.is_empty()
            && let Some(l) = by_package.get(p.name.as_str())
        {
            p.licenses = l.to_vec();
        }
    }
}

/// The packages of the simple manifest catalogers (not from OS-owned
/// files, as for Python); `purl_of` gives the purl, or `None` to skip one.
fn listed_packages(
    scan: &Scan,
    analyzer: usize,
    ecosystem: &str,
    os_owned: &HashSet<&str>,
    sbom: &mut Sbom,
    purl_of: impl Fn(&str, &manifest::Listed) -> Option<String>,
) {
    for (path, layer, out) in visible(scan, analyzer) {
        if os_owned.contains(format!("/{path}").as_str()) {
            continue;
        }
        match out.downcast_ref::<ManifestFile>() {
            Some(ManifestFile::Packages(packages)) => {
                for p in packages {
                    if let Some(purl) = purl_of(path, p) {
                        sbom.packages.push(lang_package(
                            ecosystem,
                            purl,
                            &p.name,
                            &p.version,
                            &p.licenses,
                            location(path, layer),
                        ));
                    }
                }
            }
            Some(ManifestFile::Invalid(e)) => sbom.warnings.push(format!("/{path}: {e}: skipped")),
            Some(ManifestFile::TooLarge(size)) => sbom
                .warnings
                .push(format!("/{path}: {size} bytes, too large to read: skipped")),
            None => {}
        }
    }
}

/// Composer packages: every `vendor/composer/installed.json` entry, plus
/// the `composer.lock` entries that the `installed.json` of the same
/// project (`DIR/composer.lock` and `DIR/vendor/composer/installed.json`)
/// does not list by name.
fn composer_packages(scan: &Scan, analyzer: usize, sbom: &mut Sbom) {
    let files = visible(scan, analyzer);
    let mut installed: HashSet<(&str, &str)> = HashSet::new();
    for (path, _, out) in &files {
        if let Some(ComposerFile::Packages {
            installed: true,
            packages,
            ..
        }) = out.downcast_ref::<ComposerFile>()
        {
            let dir = path.strip_suffix(composer::INSTALLED).unwrap_or("");
            installed.extend(packages.iter().map(|p| (dir, p.name.as_str())));
        }
    }
    for (path, layer, out) in &files {
        let Some(file) = out.downcast_ref::<ComposerFile>() else {
            continue;
        };
        match file {
            ComposerFile::Packages {
                installed: is_installed,
                packages,
                warnings,
            } => {
                for w in warnings {
                    sbom.warnings.push(format!("/{path}: {w}"));
                }
                let dir = path.strip_suffix("composer.lock").unwrap_or("");
                for p in packages {
                    if !is_installed && installed.contains(&(dir, p.name.as_str())) {
                        continue;
                    }
                    let (namespace, name) = p.name.split_once('/').unwrap_or(("", &p.name));
                    sbom.packages.push(lang_package(
                        "Packagist",
                        purl("composer", namespace, name, &p.version, &[]),
                        &p.name,
                        &p.version,
                        &p.licenses,
                        location(path, *layer),
                    ));
                }
            }
            ComposerFile::Invalid(e) => sbom.warnings.push(format!("/{path}: {e}: skipped")),
            ComposerFile::TooLarge(size) => sbom
                .warnings
                .push(format!("/{path}: {size} bytes, too large to read: skipped")),
        }
    }
}
