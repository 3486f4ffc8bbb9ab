//! Ruby applications: `**/Gemfile.lock`, bundler's lock file. Every spec
//! under `specs:` of a `GEM` (rubygems.org or another gem server) or `GIT`
//! section, four spaces in: `    name (version)` or, for a platform gem,
//! `    nokogiri (1.15.4-x86_64-linux)` (the platform is not part of the
//! version). `PATH` sections are the application's own local gems (not
//! published, as Cargo's local crates): not reported. Six-space lines are
//! a spec's dependencies, which are specs of their own too.

use crate::bounded;
use crate::manifest::{Listed, LockFileCataloger, push};

pub const CATALOGER: LockFileCataloger = LockFileCataloger {
    name: "catalog-gemfile-lock",
    patterns: &["**/Gemfile.lock", "**/gems.locked"],
    max_size: 8 << 20,
    skip_node_modules: false,
    parse,
};

/// Platforms rubygems appends to a version (`1.15.4-x86_64-linux`,
/// `1.15.4-java`, `2.0.0-arm64-darwin`): what follows the first `-` that
/// starts a letter-led part is the platform. Versions themselves use
/// `.` (prereleases are `1.0.0.rc1`), never `-`.
fn without_platform(version: &str) -> &str {
    version.split_once('-').map_or(version, |(v, _)| v)
}

pub fn parse(content: &[u8]) -> Result<Vec<Listed>, String> {
    let text = String::from_utf8_lossy(content);
    let mut out = Vec::new();
    let mut section = "";
    let mut in_specs = false;
    let mut saw_section = false;
    for line in text.lines() {
        let line = line.trim_end_matches('\r');
        if !line.starts_with(' ') {
            section = line.trim();
            in_specs = false;
            saw_section |= matches!(
                section,
                "GEM" | "GIT" | "PATH" | "PLATFORMS" | "DEPENDENCIES"
            );
            continue;
        }
        if line.trim() == "specs:" {
            in_specs = true;
            continue;
        }
        if !in_specs || !matches!(section, "GEM" | "GIT") {
            continue;
        }
        // Exactly four spaces: a spec; six: one of its dependencies.
        let Some(spec) = line.strip_prefix("    ") else {
            continue;
        };
        if spec.starts_with(' ') {
            continue;
        }
        let Some((name, rest)) = spec.split_once(" (") else {
            continue;
        };
        let Some(version) = rest.strip_suffix(')') else {
            continue;
        };
        // Checked after bounding: it trims, so a name of blanks is empty.
        let name = bounded(name);
        let version = bounded(without_platform(version.trim()));
        if name.is_empty() || version.is_empty() {
            continue;
        }
        push(
            &mut out,
            Listed {
                name,
                version,
                licenses: Vec::new(),
            },
        )?;
    }
    if !saw_section {
        return Err("not a bundler lock file (no GEM, PATH or DEPENDENCIES section)".to_string());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_platforms_and_dependencies() {
        let lock = "GIT\n  remote: https://github.com/rails/rails.git\n  revision: abc\n  specs:\n    rails (7.1.0.alpha)\n      actionpack (= 7.1.0.alpha)\n\nPATH\n  remote: .\n  specs:\n    myapp (0.1.0)\n\nGEM\n  remote: https://rubygems.org/\n  specs:\n    nokogiri (1.15.4-x86_64-linux)\n      racc (~> 1.4)\n    racc (1.7.1)\n\nPLATFORMS\n  x86_64-linux\n\nDEPENDENCIES\n  nokogiri\n  myapp!\n\nBUNDLED WITH\n   2.4.19\n";
        let got = crate::manifest::pairs(parse(lock.as_bytes()));
        assert_eq!(
            got,
            [
                ("rails".to_string(), "7.1.0.alpha".to_string()),
                ("nokogiri".to_string(), "1.15.4".to_string()),
                ("racc".to_string(), "1.7.1".to_string()),
            ]
        );
    }

    #[test]
    fn blank_names_and_versions_are_skipped() {
        // Found by the gemfile_lock fuzz target: a name of blanks after `bounded`.
        let specs =
            parse(b"GEM\n  specs:\n    \x0b\x0b  (1.0)\n    rack ( \x0b)\n    rake (13.0.6)\n")
                .unwrap();
        let names: Vec<_> = specs.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["rake"]);
    }

    #[test]
    fn garbage_is_an_error() {
        assert!(parse(b"\x00\xff{not a lock file").is_err());
        assert!(parse(b"").is_err());
    }
}
