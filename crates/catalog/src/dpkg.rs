//! dpkg: `var/lib/dpkg/status`, distroless `var/lib/dpkg/status.d/*` (one
//! or more paragraphs per file) and file ownership from
//! `var/lib/dpkg/info/NAME[:ARCH].list`.

use palisade_image::{Analysis, Analyzer, FileRef};

/// Most warnings kept per file (a corrupt file could otherwise make one per line).
const MAX_WARNINGS: usize = 20;
/// Longest field value kept (a hostile file can have a 64 MiB "Version").
const MAX_FIELD: usize = 4096;

/// One installed package of a status file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DpkgRecord {
    pub name: String,
    pub version: String,
    pub arch: Option<String>,
    pub source_name: String,
    pub source_version: String,
}

/// What the analyzer keeps of one dpkg file.
#[derive(Debug, Clone)]
pub enum DpkgFile {
    /// A status file (or one `status.d` file): installed packages, and
    /// what was wrong with the paragraphs it skipped.
    Status {
        packages: Vec<DpkgRecord>,
        warnings: Vec<String>,
    },
    /// A `.list` file: the paths it lists, with a leading `/`.
    List(Vec<String>),
    /// Bigger than the analyzer's limit: not read.
    TooLarge(u64),
}

pub struct DpkgAnalyzer;

pub const STATUS: &str = "var/lib/dpkg/status";
pub const STATUS_D: &str = "var/lib/dpkg/status.d/";
pub const INFO: &str = "var/lib/dpkg/info/";

impl Analyzer for DpkgAnalyzer {
    fn name(&self) -> &'static str {
        "catalog-dpkg"
    }
    fn patterns(&self) -> &[&str] {
        &[
            "var/lib/dpkg/status",
            "var/lib/dpkg/status.d/*",
            "var/lib/dpkg/info/*.list",
        ]
    }
    fn max_size(&self) -> u64 {
        64 << 20
    }
    fn accept(&self, path: &str, _size: u64) -> bool {
        // distroless keeps NAME.md5sums next to NAME in status.d.
        !(path.starts_with(STATUS_D) && path.ends_with(".md5sums"))
    }
    fn analyze(&self, file: FileRef<'_>, content: &[u8]) -> Result<Option<Analysis>, String> {
        if file.path.starts_with(INFO) {
            // .list files have their own, smaller, limit.
            if file.size > MAX_LIST {
                return Ok(Some(Box::new(DpkgFile::TooLarge(file.size))));
            }
            return Ok(Some(Box::new(DpkgFile::List(parse_list(content)))));
        }
        let distroless = file.path.starts_with(STATUS_D);
        let (packages, warnings) = parse_status(content, distroless);
        Ok(Some(Box::new(DpkgFile::Status { packages, warnings })))
    }
    fn too_large(&self, file: FileRef<'_>) -> Option<Analysis> {
        Some(Box::new(DpkgFile::TooLarge(file.size)))
    }
}

/// Largest `.list` file read.
pub const MAX_LIST: u64 = 4 << 20;

/// Paths of a `.list` file, without `/.` and empty lines.
pub fn parse_list(content: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(content)
        .lines()
        .filter(|l| l.starts_with('/') && *l != "/.")
        .map(str::to_string)
        .collect()
}

fn bounded(s: &str) -> String {
    let s = s.trim();
    if s.len() <= MAX_FIELD {
        return s.to_string();
    }
    let mut end = MAX_FIELD;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].to_string()
}

/// Parses deb822 paragraphs, keeping the installed packages. In
/// `status.d` (distroless) paragraphs without `Status` count as installed.
pub fn parse_status(content: &[u8], distroless: bool) -> (Vec<DpkgRecord>, Vec<String>) {
    let text = String::from_utf8_lossy(content);
    let mut packages = Vec::new();
    let mut warnings = Vec::new();
    let mut warn = |w: String| {
        if warnings.len() < MAX_WARNINGS {
            warnings.push(w);
        } else if warnings.len() == MAX_WARNINGS {
            warnings.push("more problems not shown".to_string());
        }
    };
    let mut fields: Vec<(&str, &str)> = Vec::new();
    let mut start_line = 1;
    let mut lines = text.lines().enumerate().peekable();
    loop {
        let next = lines.next();
        let end_of_paragraph = match next {
            None => true,
            Some((_, l)) => l.trim().is_empty(),
        };
        if end_of_paragraph {
            if !fields.is_empty() {
                match record(&fields, distroless) {
                    Ok(Some(r)) => packages.push(r),
                    Ok(None) => {}
                    Err(e) => warn(format!("paragraph at line {start_line}: {e}")),
                }
                fields.clear();
            }
            match next {
                None => break,
                Some((i, _)) => start_line = i + 2,
            }
            continue;
        }
        let (_, line) = next.expect("not the end");
        if line.starts_with([' ', '\t']) {
            continue; // continuation of a multi-line field
        }
        match line.split_once(':') {
            Some((k, v)) => fields.push((k.trim(), v)),
            None => warn(format!(
                "paragraph at line {start_line}: not a field: {:?}",
                bounded_short(line)
            )),
        }
    }
    (packages, warnings)
}

fn bounded_short(s: &str) -> String {
    s.chars().filter(|c| !c.is_control()).take(80).collect()
}

fn field<'a>(fields: &[(&str, &'a str)], key: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty())
}

fn record(fields: &[(&str, &str)], distroless: bool) -> Result<Option<DpkgRecord>, String> {
    let name = field(fields, "Package");
    match field(fields, "Status") {
        Some(status) => {
            let words: Vec<&str> = status.split_whitespace().collect();
            let installed = matches!(words.as_slice(), ["install" | "hold", "ok", "installed"]);
            if !installed {
                return Ok(None);
            }
        }
        None if distroless => {}
        None => {
            return Err(format!(
                "package {:?} has no Status field",
                bounded_short(name.unwrap_or("?"))
            ));
        }
    }
    let name = name.ok_or("no Package field")?;
    let version = field(fields, "Version")
        .ok_or_else(|| format!("package {:?} has no Version field", bounded_short(name)))?;
    let (source_name, source_version) = match field(fields, "Source") {
        Some(src) => match src.split_once('(') {
            Some((n, v)) => (n.trim(), v.trim_end_matches(')').trim()),
            None => (src, version),
        },
        None => (name, version),
    };
    let source_name = if source_name.is_empty() {
        name
    } else {
        source_name
    };
    let source_version = if source_version.is_empty() {
        version
    } else {
        source_version
    };
    Ok(Some(DpkgRecord {
        name: bounded(name),
        version: bounded(version),
        arch: field(fields, "Architecture").map(bounded),
        source_name: bounded(source_name),
        source_version: bounded(source_version),
    }))
}

/// `NAME.list` or `NAME:ARCH.list` → (NAME, ARCH).
pub fn list_owner(path: &str) -> Option<(&str, Option<&str>)> {
    let file = path.strip_prefix(INFO)?.strip_suffix(".list")?;
    Some(match file.split_once(':') {
        Some((n, a)) => (n, Some(a)),
        None => (file, None),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    // Paragraphs from a Debian 12 /var/lib/dpkg/status.
    const STATUS: &str = "\
Package: libgcc-s1
Status: install ok installed
Priority: optional
Section: libs
Installed-Size: 140
Maintainer: Debian GCC Maintainers <debian-gcc@lists.debian.org>
Architecture: amd64
Multi-Arch: same
Source: gcc-12 (12.2.0-14)
Version: 12.2.0-14
Replaces: libgcc1
Provides: libgcc1 (= 1:12.2.0-14)
Depends: gcc-12-base (= 12.2.0-14), libc6 (>= 2.35)
Description: GCC support library
 Shared version of the support library, a library of internal subroutines
 that GCC uses to overcome shortcomings of particular machines, or
 special needs for some languages.
Homepage: https://gcc.gnu.org/

Package: bsdutils
Essential: yes
Status: install ok installed
Priority: required
Section: utils
Installed-Size: 335
Maintainer: util-linux packagers <util-linux@packages.debian.org>
Architecture: amd64
Multi-Arch: foreign
Source: util-linux (2.38.1-5)
Version: 1:2.38.1-5+b1
Description: basic utilities from 4.4BSD-Lite

Package: bash
Status: hold ok installed
Architecture: amd64
Version: 5.2.15-2+b2

Package: removed-one
Status: deinstall ok config-files
Architecture: amd64
Version: 1.0

Package: adduser
Status: install ok installed
Architecture: all
Source: adduser
Version: 3.134
";

    #[test]
    fn parses_installed_paragraphs() {
        let (p, w) = parse_status(STATUS.as_bytes(), false);
        assert!(w.is_empty(), "{w:?}");
        let names: Vec<&str> = p.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["libgcc-s1", "bsdutils", "bash", "adduser"]);
        assert_eq!(p[0].source_name, "gcc-12");
        assert_eq!(p[0].source_version, "12.2.0-14");
        assert_eq!(p[1].version, "1:2.38.1-5+b1");
        assert_eq!(p[1].source_version, "2.38.1-5");
        assert_eq!(
            (p[2].source_name.as_str(), p[2].source_version.as_str()),
            ("bash", "5.2.15-2+b2")
        );
        assert_eq!(
            (p[3].source_name.as_str(), p[3].source_version.as_str()),
            ("adduser", "3.134")
        );
        assert_eq!(p[3].arch.as_deref(), Some("all"));
    }

    #[test]
    fn broken_paragraphs_warn_and_the_rest_survives() {
        let text = b"Package: a\nStatus: install ok installed\n\nPackage: b\nStatus: install ok installed\nVersion: 1\n\nStatus: install ok installed\nVersion: 2\n\ngarbage line\nPackage: c\nVersion: 3\n\xff\xfe: x\n";
        let (p, w) = parse_status(text, false);
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].name, "b");
        assert!(w.iter().any(|w| w.contains("no Version")), "{w:?}");
        assert!(w.iter().any(|w| w.contains("no Package")), "{w:?}");
        assert!(w.iter().any(|w| w.contains("no Status")), "{w:?}");
    }

    #[test]
    fn truncated_file() {
        // Cut anywhere: no panic, and the complete paragraphs before the cut survive.
        for cut in 0..STATUS.len() {
            let (p, _) = parse_status(&STATUS.as_bytes()[..cut], false);
            assert!(p.len() <= 4);
        }
        let before_bash = STATUS.find("Package: bash").unwrap();
        let (p, _) = parse_status(&STATUS.as_bytes()[..before_bash], false);
        assert_eq!(p.len(), 2);
    }

    #[test]
    fn distroless_paragraph_without_status() {
        let (p, w) = parse_status(
            b"Package: base-files\nVersion: 12.4+deb12u5\nArchitecture: amd64\n",
            true,
        );
        assert!(w.is_empty());
        assert_eq!(p[0].name, "base-files");
    }

    #[test]
    fn huge_field_is_bounded() {
        let mut text = b"Package: x\nStatus: install ok installed\nVersion: ".to_vec();
        text.extend(std::iter::repeat_n(b'1', 1 << 20));
        let (p, _) = parse_status(&text, false);
        assert_eq!(p[0].version.len(), MAX_FIELD);
    }

    #[test]
    fn warnings_are_capped() {
        let text = "nonsense\n".repeat(1000);
        let (_, w) = parse_status(text.as_bytes(), false);
        assert_eq!(w.len(), MAX_WARNINGS + 1);
    }

    #[test]
    fn list_files() {
        assert_eq!(
            parse_list(b"/.\n/bin\n/bin/bash\n\nrel\n"),
            ["/bin", "/bin/bash"]
        );
        assert_eq!(
            list_owner("var/lib/dpkg/info/libc6:amd64.list"),
            Some(("libc6", Some("amd64")))
        );
        assert_eq!(
            list_owner("var/lib/dpkg/info/bash.list"),
            Some(("bash", None))
        );
    }
}
