//! OS detection: `os-release` (either location, following symlinks),
//! `debian_version`, `alpine-release`, `redhat-release`, and the OSV
//! ecosystem the distribution's packages belong to.

use palisade_image::{Analysis, Analyzer, EntryKind, FileRef, Scan};
use serde::Serialize;
use std::collections::BTreeMap;

/// The detected distribution.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct OsInfo {
    /// `ID` of os-release (`debian`, `ubuntu`, `alpine`, `rocky`, …).
    pub id: String,
    pub version_id: Option<String>,
    pub version_codename: Option<String>,
    pub pretty_name: Option<String>,
    /// OSV ecosystem of the distribution's packages (`Debian:12`,
    /// `Ubuntu:22.04:LTS`, `Alpine:v3.18`, …), when known.
    pub osv_ecosystem: Option<String>,
    /// A dpkg `status.d` directory and no shell: a distroless image.
    pub distroless: bool,
}

/// What the analyzer keeps of one OS file.
#[derive(Debug, Clone)]
pub enum OsFile {
    OsRelease(BTreeMap<String, String>),
    /// The first line of debian_version, alpine-release or redhat-release.
    Release(String),
}

pub struct OsAnalyzer;

pub const OS_RELEASE_PATHS: [&str; 2] = ["etc/os-release", "usr/lib/os-release"];

impl Analyzer for OsAnalyzer {
    fn name(&self) -> &'static str {
        "catalog-os"
    }
    fn patterns(&self) -> &[&str] {
        &[
            "etc/os-release",
            "usr/lib/os-release",
            "etc/debian_version",
            "etc/alpine-release",
            "etc/redhat-release",
        ]
    }
    fn max_size(&self) -> u64 {
        64 << 10
    }
    fn analyze(&self, file: FileRef<'_>, content: &[u8]) -> Result<Option<Analysis>, String> {
        let text = String::from_utf8_lossy(content);
        if file.path.ends_with("os-release") {
            return Ok(Some(Box::new(OsFile::OsRelease(parse_os_release(&text)))));
        }
        let first = clean(text.lines().next().unwrap_or("").trim());
        Ok((!first.is_empty()).then(|| Box::new(OsFile::Release(first)) as Analysis))
    }
}

/// Control characters out, at most 200 characters.
fn clean(s: &str) -> String {
    s.chars().filter(|c| !c.is_control()).take(200).collect()
}

/// `KEY=value` lines, values unquoted.
pub fn parse_os_release(text: &str) -> BTreeMap<String, String> {
    let mut fields = BTreeMap::new();
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('#') {
            continue;
        }
        if let Some((k, v)) = line.split_once('=') {
            let v = v.trim();
            let v = v
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .or_else(|| v.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
                .unwrap_or(v);
            fields.insert(clean(k.trim()), clean(v));
        }
    }
    fields
}

fn visible<'a>(scan: &'a Scan, path: &str, analyzer: usize) -> Option<&'a OsFile> {
    let (real, node) = scan.fs.resolve(path)?;
    if node.kind != EntryKind::File {
        return None;
    }
    scan.analysis(&real, analyzer)?.downcast_ref::<OsFile>()
}

fn release(scan: &Scan, path: &str, analyzer: usize) -> Option<String> {
    match visible(scan, path, analyzer)? {
        OsFile::Release(s) => Some(s.clone()),
        OsFile::OsRelease(_) => None,
    }
}

fn major(v: &str) -> Option<&str> {
    let m = v.split('.').next()?;
    (!m.is_empty() && m.bytes().all(|b| b.is_ascii_digit())).then_some(m)
}

/// The OSV ecosystem for a distribution (names as in OSV's ecosystems list).
pub fn osv_ecosystem(id: &str, version_id: Option<&str>, cpe_name: Option<&str>) -> Option<String> {
    let v = version_id.unwrap_or("");
    match id {
        "debian" => Some(match major(v) {
            Some(m) => format!("Debian:{m}"),
            None => "Debian".to_string(),
        }),
        "ubuntu" => {
            let (yy, mm) = v.split_once('.')?;
            let lts = mm == "04" && yy.parse::<u32>().ok()? % 2 == 0;
            Some(format!("Ubuntu:{v}{}", if lts { ":LTS" } else { "" }))
        }
        "alpine" => {
            let mut parts = v.split('.');
            let (a, b) = (parts.next()?, parts.next()?);
            Some(format!("Alpine:v{a}.{b}"))
        }
        "rocky" => major(v).map(|m| format!("Rocky Linux:{m}")),
        "almalinux" => major(v).map(|m| format!("AlmaLinux:{m}")),
        // OSV's Red Hat ecosystem is `Red Hat:<cpe tail>`, e.g.
        // `Red Hat:enterprise_linux:9::baseos`.
        "rhel" => cpe_name
            .and_then(|c| c.strip_prefix("cpe:/o:redhat:"))
            .map(|tail| format!("Red Hat:{tail}")),
        "wolfi" => Some("Wolfi".to_string()),
        "chainguard" => Some("Chainguard".to_string()),
        _ => None,
    }
}

/// Detects the OS from the visible versions of the files `analyzer` read.
pub fn detect(scan: &Scan, analyzer: usize) -> Option<OsInfo> {
    let fields = OS_RELEASE_PATHS
        .iter()
        .find_map(|p| match visible(scan, p, analyzer) {
            Some(OsFile::OsRelease(f)) if !f.is_empty() => Some(f.clone()),
            _ => None,
        });
    let debian_version = release(scan, "etc/debian_version", analyzer);
    let alpine_release = release(scan, "etc/alpine-release", analyzer);
    let redhat_release = release(scan, "etc/redhat-release", analyzer);
    let get = |f: &BTreeMap<String, String>, k: &str| f.get(k).filter(|v| !v.is_empty()).cloned();

    let mut info = if let Some(f) = &fields
        && let Some(id) = get(f, "ID")
    {
        OsInfo {
            id: id.to_ascii_lowercase(),
            version_id: get(f, "VERSION_ID"),
            version_codename: get(f, "VERSION_CODENAME"),
            pretty_name: get(f, "PRETTY_NAME").or_else(|| get(f, "NAME")),
            ..OsInfo::default()
        }
    } else if let Some(v) = &alpine_release {
        OsInfo {
            id: "alpine".into(),
            version_id: Some(v.clone()),
            ..OsInfo::default()
        }
    } else if let Some(v) = &debian_version {
        OsInfo {
            id: "debian".into(),
            ..OsInfo::default()
        }
        .with_debian_version(v)
    } else if let Some(r) = &redhat_release {
        redhat(r)?
    } else {
        return None;
    };
    // Debian without VERSION_ID (testing, or a trimmed os-release).
    if info.id == "debian"
        && info.version_id.is_none()
        && let Some(v) = &debian_version
    {
        info = info.with_debian_version(v);
    }
    let cpe = fields.as_ref().and_then(|f| get(f, "CPE_NAME"));
    info.osv_ecosystem = osv_ecosystem(&info.id, info.version_id.as_deref(), cpe.as_deref());
    info.distroless = has_status_d(scan) && !has_shell(scan);
    Some(info)
}

impl OsInfo {
    fn with_debian_version(mut self, v: &str) -> Self {
        if major(v).is_some() {
            self.version_id = major(v).map(str::to_string);
        }
        self
    }
}

/// `Rocky Linux release 9.3 (Blue Onyx)` and the like.
fn redhat(line: &str) -> Option<OsInfo> {
    let (name, rest) = line.split_once(" release ")?;
    let version = rest.split_whitespace().next()?.to_string();
    let id = match name {
        n if n.starts_with("Rocky") => "rocky",
        n if n.starts_with("AlmaLinux") => "almalinux",
        n if n.starts_with("Red Hat Enterprise Linux") => "rhel",
        n if n.starts_with("CentOS") => "centos",
        n if n.starts_with("Fedora") => "fedora",
        _ => return None,
    };
    Some(OsInfo {
        id: id.into(),
        version_id: Some(version),
        pretty_name: Some(line.to_string()),
        ..OsInfo::default()
    })
}

fn has_status_d(scan: &Scan) -> bool {
    scan.fs
        .get("var/lib/dpkg/status.d")
        .is_some_and(|n| n.kind == EntryKind::Dir)
        || scan
            .fs
            .iter()
            .any(|(p, _)| p.starts_with("var/lib/dpkg/status.d/"))
}

fn has_shell(scan: &Scan) -> bool {
    ["bin/sh", "usr/bin/sh", "bin/bash", "bin/ash", "bin/busybox"]
        .iter()
        .any(|p| scan.fs.resolve(p).is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ecosystems() {
        assert_eq!(
            osv_ecosystem("debian", Some("12"), None).as_deref(),
            Some("Debian:12")
        );
        assert_eq!(
            osv_ecosystem("debian", None, None).as_deref(),
            Some("Debian")
        );
        assert_eq!(
            osv_ecosystem("ubuntu", Some("22.04"), None).as_deref(),
            Some("Ubuntu:22.04:LTS")
        );
        assert_eq!(
            osv_ecosystem("ubuntu", Some("23.04"), None).as_deref(),
            Some("Ubuntu:23.04")
        );
        assert_eq!(
            osv_ecosystem("ubuntu", Some("22.10"), None).as_deref(),
            Some("Ubuntu:22.10")
        );
        assert_eq!(
            osv_ecosystem("alpine", Some("3.18.2"), None).as_deref(),
            Some("Alpine:v3.18")
        );
        assert_eq!(osv_ecosystem("alpine", Some("3"), None), None);
        assert_eq!(
            osv_ecosystem("rocky", Some("9.3"), None).as_deref(),
            Some("Rocky Linux:9")
        );
        assert_eq!(
            osv_ecosystem("almalinux", Some("8.9"), None).as_deref(),
            Some("AlmaLinux:8")
        );
        assert_eq!(
            osv_ecosystem(
                "rhel",
                Some("9.3"),
                Some("cpe:/o:redhat:enterprise_linux:9::baseos")
            )
            .as_deref(),
            Some("Red Hat:enterprise_linux:9::baseos")
        );
        assert_eq!(osv_ecosystem("rhel", Some("9.3"), None), None);
        assert_eq!(
            osv_ecosystem("wolfi", Some("20230201"), None).as_deref(),
            Some("Wolfi")
        );
        assert_eq!(
            osv_ecosystem("chainguard", None, None).as_deref(),
            Some("Chainguard")
        );
        assert_eq!(osv_ecosystem("arch", None, None), None);
    }

    #[test]
    fn os_release_parsing() {
        let f = parse_os_release(
            "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\n# c\nID=debian\nX='y'\n",
        );
        assert_eq!(f["ID"], "debian");
        assert_eq!(f["VERSION_ID"], "12");
        assert_eq!(f["PRETTY_NAME"], "Debian GNU/Linux 12 (bookworm)");
        assert_eq!(f["X"], "y");
    }

    #[test]
    fn redhat_release_lines() {
        let r = redhat("Rocky Linux release 9.3 (Blue Onyx)").unwrap();
        assert_eq!(
            (r.id.as_str(), r.version_id.as_deref()),
            ("rocky", Some("9.3"))
        );
        assert!(redhat("nonsense").is_none());
    }
}
