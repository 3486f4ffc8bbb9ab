//! Installed packages, as the package catalogers (`palisade sbom`) report
//! them and as the vulnerability matcher will key them.

use serde::Serialize;

/// One installed package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Package {
    pub name: String,
    pub version: String,
    /// OSV ecosystem of the package, e.g. `Debian:12`, `Alpine:v3.18`.
    pub ecosystem: String,
    /// Package URL, e.g.
    /// `pkg:deb/debian/bash@5.2.15-2%2Bb2?arch=amd64&distro=debian-12`.
    pub purl: String,
    pub arch: Option<String>,
    /// The source package it was built from (what OSV distro advisories key on).
    pub source_name: Option<String>,
    pub source_version: Option<String>,
    pub licenses: Vec<String>,
    /// Where the package database entry that lists it lives.
    pub locations: Vec<PackageLocation>,
    /// Files the package owns, with a leading `/`.
    pub files: Vec<String>,
}

/// A package database file and the layer whose version of it is visible.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PackageLocation {
    /// With a leading `/`.
    pub path: String,
    /// 0-based index of the layer that provides the visible version.
    pub layer: usize,
}

/// Percent-encodes a purl component (name, version, qualifier value): every
/// byte except ASCII letters, digits, `.`, `-`, `_`, `~` and `:` (which the
/// purl spec says must not be encoded).
pub fn purl_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'~' | b':') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Builds `pkg:TYPE/NAMESPACE/NAME@VERSION?k=v&…` with the qualifiers
/// sorted by key and empty ones left out, as the purl spec asks.
pub fn purl(
    kind: &str,
    namespace: &str,
    name: &str,
    version: &str,
    qualifiers: &[(&str, Option<&str>)],
) -> String {
    let mut s = format!("pkg:{kind}/");
    if !namespace.is_empty() {
        s.push_str(&purl_encode(&namespace.to_ascii_lowercase()));
        s.push('/');
    }
    s.push_str(&purl_encode(name));
    if !version.is_empty() {
        s.push('@');
        s.push_str(&purl_encode(version));
    }
    let mut q: Vec<(&str, &str)> = qualifiers
        .iter()
        .filter_map(|(k, v)| v.filter(|v| !v.is_empty()).map(|v| (*k, v)))
        .collect();
    q.sort();
    for (i, (k, v)) in q.iter().enumerate() {
        s.push(if i == 0 { '?' } else { '&' });
        s.push_str(k);
        s.push('=');
        s.push_str(&purl_encode(v));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purl_encodes_per_spec() {
        assert_eq!(
            purl(
                "deb",
                "debian",
                "bsdutils",
                "1:2.38.1-5+deb12u3",
                &[("distro", Some("debian-12")), ("arch", Some("amd64"))]
            ),
            "pkg:deb/debian/bsdutils@1:2.38.1-5%2Bdeb12u3?arch=amd64&distro=debian-12"
        );
        assert_eq!(
            purl("deb", "debian", "g++", "4:12.2.0-3", &[("arch", None)]),
            "pkg:deb/debian/g%2B%2B@4:12.2.0-3"
        );
        assert_eq!(purl_encode("a b/c@d?e#f%"), "a%20b%2Fc%40d%3Fe%23f%25");
    }
}
