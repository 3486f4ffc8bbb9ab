//! Package URLs (https://github.com/package-url/purl-spec) as an SBOM
//! names packages, turned into what the matcher looks up: OSV ecosystem,
//! name, version and, for distro packages, the source package.
//!
//! `pkg:TYPE/NAMESPACE/NAME@VERSION?QUALIFIERS#SUBPATH`, each part
//! percent-decoded. Types without an OSV ecosystem here (oci, generic,
//! ...), and distros whose OSV ecosystem a purl cannot name, are refused
//! with the reason, never guessed.

/// A parsed purl.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Purl {
    pub kind: String,
    pub namespace: Vec<String>,
    pub name: String,
    pub version: String,
    pub qualifiers: Vec<(String, String)>,
}

/// What the matcher needs from one purl.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lookup {
    pub ecosystem: String,
    pub name: String,
    pub version: String,
    /// Source package (Debian `upstream=`, Alpine origin), when the purl says.
    pub source_name: Option<String>,
}

/// Longest purl accepted.
const MAX_LEN: usize = 4096;

fn decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = std::str::from_utf8(b.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

impl Purl {
    /// Parses `s`; `None` when it is not a purl.
    pub fn parse(s: &str) -> Option<Purl> {
        if s.len() > MAX_LEN {
            return None;
        }
        let rest = s.trim();
        let rest = rest
            .get(..4)
            .filter(|p| p.eq_ignore_ascii_case("pkg:"))
            .map(|_| &rest[4..])?
            .trim_start_matches('/');
        let rest = rest.split_once('#').map_or(rest, |(r, _)| r);
        let (rest, query) = match rest.split_once('?') {
            Some((r, q)) => (r, Some(q)),
            None => (rest, None),
        };
        let (path, version) = match rest.rsplit_once('@') {
            // An `@` inside the path (npm scope) is encoded as %40.
            Some((p, v)) => (p, decode(v)?),
            None => (rest, String::new()),
        };
        let mut segments = path.split('/').filter(|s| !s.is_empty());
        let kind = segments.next()?.to_ascii_lowercase();
        let mut parts: Vec<String> = segments.map(decode).collect::<Option<_>>()?;
        let name = parts.pop().filter(|n| !n.is_empty())?;
        let mut qualifiers = Vec::new();
        for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=')?;
            qualifiers.push((k.to_ascii_lowercase(), decode(v)?));
        }
        Some(Purl {
            kind,
            namespace: parts,
            name,
            version,
            qualifiers,
        })
    }

    pub fn qualifier(&self, key: &str) -> Option<&str> {
        self.qualifiers
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The OSV lookup for this purl, or `Err(why)` (unsupported type, a
    /// distro package without a release).
    pub fn lookup(&self) -> Result<Lookup, String> {
        let ns = self.namespace.join("/");
        let with_ns = |sep: &str| {
            if ns.is_empty() {
                self.name.clone()
            } else {
                format!("{ns}{sep}{}", self.name)
            }
        };
        let plain = |ecosystem: &str, name: String| Lookup {
            ecosystem: ecosystem.to_string(),
            name,
            version: self.version.clone(),
            source_name: None,
        };
        Ok(match self.kind.as_str() {
            "pypi" => plain("PyPI", self.name.clone()),
            "npm" => plain("npm", with_ns("/")),
            "cargo" => plain("crates.io", self.name.clone()),
            "golang" => plain("Go", with_ns("/")),
            "maven" => plain("Maven", with_ns(":")),
            "gem" => plain("RubyGems", self.name.clone()),
            "nuget" => plain("NuGet", self.name.clone()),
            "composer" => plain("Packagist", with_ns("/")),
            "deb" => {
                let distro = self
                    .qualifier("distro")
                    .ok_or("a deb purl without a distro qualifier (which release?)")?;
                let (id, release) = distro
                    .split_once('-')
                    .ok_or_else(|| format!("distro {distro:?} is not ID-VERSION"))?;
                let ecosystem = match id {
                    "debian" => format!("Debian:{}", release.split('.').next().unwrap_or(release)),
                    "ubuntu" => format!("Ubuntu:{release}"),
                    _ => return Err(format!("deb distro {id:?} has no OSV ecosystem here")),
                };
                let version = match self.qualifier("epoch") {
                    Some(e) if !self.version.contains(':') => format!("{e}:{}", self.version),
                    _ => self.version.clone(),
                };
                Lookup {
                    ecosystem,
                    name: self.name.clone(),
                    version,
                    source_name: self.upstream(),
                }
            }
            "apk" => {
                let distro = self
                    .qualifier("distro")
                    .ok_or("an apk purl without a distro qualifier (which release?)")?;
                let release = distro.rsplit('-').next().unwrap_or(distro);
                let mut it = release.trim_start_matches('v').split('.');
                let (Some(major), Some(minor)) = (it.next(), it.next()) else {
                    return Err(format!("apk distro {distro:?} has no MAJOR.MINOR"));
                };
                Lookup {
                    ecosystem: format!("Alpine:v{major}.{minor}"),
                    name: self.name.clone(),
                    version: self.version.clone(),
                    source_name: self.upstream(),
                }
            }
            "rpm" => {
                let distro = self
                    .qualifier("distro")
                    .ok_or("an rpm purl without a distro qualifier (which release?)")?;
                Lookup {
                    ecosystem: rpm_ecosystem(distro)?,
                    name: self.name.clone(),
                    version: match self.qualifier("epoch") {
                        Some(e) if e != "0" && !self.version.contains(':') => {
                            format!("{e}:{}", self.version)
                        }
                        _ => self.version.clone(),
                    },
                    // OSV's rpm distro advisories name binary packages.
                    source_name: None,
                }
            }
            other => return Err(format!("purl type {other:?} has no OSV ecosystem here")),
        })
    }

    /// `upstream=NAME` or `upstream=NAME@VERSION` (syft): the source name.
    /// (For rpm, syft's `upstream` is the source rpm file; unused.)
    fn upstream(&self) -> Option<String> {
        let u = self.qualifier("upstream")?;
        let name = u.split_once('@').map_or(u, |(n, _)| n);
        (!name.is_empty()).then(|| name.to_string())
    }
}

/// The OSV ecosystem of an rpm purl's `distro=ID-VERSION` qualifier
/// (os-release ID and VERSION_ID, as syft, trivy and palisade write it),
/// named as osv.dev names them.
fn rpm_ecosystem(distro: &str) -> Result<String, String> {
    let (id, version) = distro
        .rsplit_once('-')
        .ok_or_else(|| format!("rpm distro {distro:?} is not ID-VERSION"))?;
    let mut numbers = version.split('.');
    let major = numbers
        .next()
        .filter(|m| !m.is_empty() && m.bytes().all(|b| b.is_ascii_digit()))
        .ok_or_else(|| format!("rpm distro {distro:?} has no major version"))?;
    let minor = numbers.next();
    Ok(match id {
        "rocky" => format!("Rocky Linux:{major}"),
        "almalinux" | "alma" => format!("AlmaLinux:{major}"),
        "opensuse-leap" | "opensuse" => match minor {
            Some(minor) => format!("openSUSE:Leap {major}.{minor}"),
            None => return Err(format!("rpm distro {distro:?}: Leap needs MAJOR.MINOR")),
        },
        "sles" | "suse" => match minor.filter(|m| *m != "0") {
            Some(sp) => format!("SUSE:Linux Enterprise Server {major} SP{sp}"),
            None => format!("SUSE:Linux Enterprise Server {major}"),
        },
        "rhel" | "redhat" => {
            return Err(format!(
                "rpm distro {distro:?}: OSV's Red Hat ecosystems name the product and repository (e.g. Red Hat:enterprise_linux:9::baseos), which a purl does not say; scan the image itself, or a palisade CycloneDX SBOM (its ecosystem property says it)"
            ));
        }
        other => return Err(format!("rpm distro {other:?} has no OSV ecosystem here")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup(s: &str) -> Lookup {
        Purl::parse(s).unwrap().lookup().unwrap()
    }

    #[test]
    fn ecosystems() {
        let l = lookup("pkg:pypi/requests@2.19.1");
        assert_eq!(
            (l.ecosystem.as_str(), l.name.as_str(), l.version.as_str()),
            ("PyPI", "requests", "2.19.1")
        );
        assert_eq!(lookup("pkg:npm/%40babel/core@7.0.0").name, "@babel/core");
        assert_eq!(
            lookup("pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1").name,
            "org.apache.logging.log4j:log4j-core"
        );
        assert_eq!(
            lookup("pkg:golang/github.com/gin-gonic/gin@v1.6.0").name,
            "github.com/gin-gonic/gin"
        );
        assert_eq!(lookup("pkg:cargo/smallvec@1.6.0").ecosystem, "crates.io");
        let d = lookup(
            "pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12.4&upstream=openssl",
        );
        assert_eq!(d.ecosystem, "Debian:12");
        assert_eq!(d.source_name.as_deref(), Some("openssl"));
        assert_eq!(
            lookup("pkg:deb/debian/bash@5.2?distro=debian-12&epoch=1").version,
            "1:5.2"
        );
        assert_eq!(
            lookup("pkg:apk/alpine/busybox@1.36.1-r2?arch=x86_64&distro=3.18.4").ecosystem,
            "Alpine:v3.18"
        );
        assert!(
            Purl::parse("pkg:rpm/redhat/bash@5")
                .unwrap()
                .lookup()
                .is_err()
        );
        let r = lookup(
            "pkg:rpm/rocky/openssl-libs@1.1.1k-5.el8_5?arch=x86_64&distro=rocky-8.5&epoch=1",
        );
        assert_eq!(
            (r.ecosystem.as_str(), r.name.as_str(), r.version.as_str()),
            ("Rocky Linux:8", "openssl-libs", "1:1.1.1k-5.el8_5")
        );
        assert_eq!(
            lookup("pkg:rpm/almalinux/bash@5.1.8-6.el9?distro=almalinux-9.3&epoch=0").version,
            "5.1.8-6.el9"
        );
        assert_eq!(
            lookup("pkg:rpm/opensuse/curl@8.0.1-150400.5.41.1?distro=opensuse-leap-15.5").ecosystem,
            "openSUSE:Leap 15.5"
        );
        assert_eq!(
            lookup("pkg:rpm/suse/curl@8.0.1?distro=sles-15.5").ecosystem,
            "SUSE:Linux Enterprise Server 15 SP5"
        );
        for bad in [
            "pkg:rpm/redhat/bash@5.1?distro=rhel-9.3",
            "pkg:rpm/fedora/bash@5.1?distro=fedora-39",
            "pkg:rpm/rocky/bash@5.1?distro=rocky",
            "pkg:rpm/rocky/bash@5.1?distro=rocky-x",
            "pkg:rpm/opensuse/bash@5.1?distro=opensuse-leap-15",
        ] {
            let e = Purl::parse(bad).unwrap().lookup().unwrap_err();
            assert!(e.contains("distro"), "{bad}: {e}");
        }
        assert!(
            Purl::parse("pkg:deb/debian/bash@5")
                .unwrap()
                .lookup()
                .is_err()
        );
    }

    #[test]
    fn garbage_is_refused() {
        for s in [
            "",
            "pkg:",
            "pkg:pypi",
            "pkg:pypi/",
            "http://x",
            "pkg:pypi/a%zz@1",
            "pkg:pypi/a@1?x",
            "pkg:pypi/a%ff@1",
        ] {
            assert!(Purl::parse(s).is_none(), "{s}");
        }
        assert!(Purl::parse(&"pkg:pypi/".repeat(1000)).is_none());
    }
}
