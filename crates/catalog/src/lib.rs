//! Package catalogers: what is installed in an image, read during the
//! one-pass layer walk.
//!
//! Each cataloger is a [`palisade_image::Analyzer`] that parses its files
//! as the layers stream past ([`os`], [`dpkg`], [`apk`]); [`build`] then
//! takes the outputs for the versions of those files that are visible in
//! the final filesystem and turns them into [`Package`]s.

pub mod apk;
pub mod dpkg;
pub mod os;

use apk::{ApkAnalyzer, ApkFile};
use dpkg::{DpkgAnalyzer, DpkgFile, DpkgRecord};
use os::{OsAnalyzer, OsInfo};
use palisade_image::{Analyzer, EntryKind, Scan};
use palisade_model::package::purl;
use palisade_model::{Package, PackageLocation};
use serde::Serialize;
use std::collections::{HashMap, HashSet};

/// The catalogers' analyzers, in the order [`build`] expects them.
pub fn analyzers() -> Vec<Box<dyn Analyzer>> {
    vec![
        Box::new(OsAnalyzer),
        Box::new(DpkgAnalyzer),
        Box::new(ApkAnalyzer),
    ]
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
    let mut sbom = Sbom {
        os: os::detect(scan, os_index),
        ..Sbom::default()
    };
    dpkg_packages(scan, dpkg_index, &mut sbom);
    apk_packages(scan, apk_index, &mut sbom);
    for db in ["var/lib/rpm", "usr/lib/sysimage/rpm", "usr/share/rpm"] {
        if scan
            .fs
            .resolve(db)
            .is_some_and(|(_, n)| n.kind == EntryKind::Dir)
        {
            sbom.warnings.push(format!(
                "/{db}: rpm databases are not cataloged yet: rpm packages are missing from this inventory"
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

fn dpkg_packages(scan: &Scan, analyzer: usize, sbom: &mut Sbom) {
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
    if records.is_empty() {
        return;
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
