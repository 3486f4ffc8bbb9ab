//! Reading the packages of an SBOM to scan it: CycloneDX JSON (1.x:
//! `components`, nested too) and SPDX 2.x JSON (`packages` with a `purl`
//! external reference), from palisade, syft, trivy or any other tool.
//! Packages are identified by purl; palisade's own CycloneDX properties
//! (`palisade:package:ecosystem`, `…:source-name`, `…:source-version`) and
//! trivy's (`aquasecurity:trivy:SrcName`, `…:SrcVersion`, `…:SrcEpoch`)
//! refine the lookup when present.

use crate::purl::Purl;
use palisade_model::{Package, PackageLocation};
use serde_json::Value;

/// Largest SBOM accepted (the JSON is parsed whole).
pub const MAX_SBOM: u64 = 256 << 20;
/// Most components read (nested ones included).
const MAX_COMPONENTS: usize = 1_000_000;
/// Purls named per skip reason (the rest are counted).
const MAX_EXAMPLES: usize = 5;
/// Longest purl or name quoted in a skip reason.
const MAX_EXAMPLE_LEN: usize = 200;

fn cut(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &s[..at]),
        None => s.to_string(),
    }
}

/// What an SBOM held.
#[derive(Debug, Default)]
pub struct SbomInput {
    /// `CycloneDX 1.6`, `SPDX-2.3`.
    pub format: String,
    /// The packages that can be looked up.
    pub packages: Vec<Package>,
    /// Components skipped and why (`no purl`, an unsupported purl type, ...),
    /// one line per reason with a count and the first few purls (or names).
    pub skipped: Vec<String>,
}

/// Reads CycloneDX or SPDX JSON.
pub fn read(bytes: &[u8]) -> Result<SbomInput, String> {
    if bytes.len() as u64 > MAX_SBOM {
        return Err(format!("larger than {} MiB", MAX_SBOM >> 20));
    }
    let doc: Value = serde_json::from_slice(bytes).map_err(|e| format!("not JSON: {e}"))?;
    let mut out = SbomInput::default();
    let mut skipped: Vec<(String, usize, Vec<String>)> = Vec::new();
    let mut skip = |why: String, example: &str| {
        let example = cut(example, MAX_EXAMPLE_LEN);
        match skipped.iter_mut().find(|s| s.0 == why) {
            Some(s) => {
                s.1 += 1;
                if s.2.len() < MAX_EXAMPLES {
                    s.2.push(example);
                }
            }
            None => skipped.push((why, 1, vec![example])),
        }
    };
    if doc.get("bomFormat").and_then(Value::as_str) == Some("CycloneDX") {
        out.format = format!(
            "CycloneDX {}",
            doc.get("specVersion")
                .and_then(Value::as_str)
                .unwrap_or("?")
        );
        let mut stack: Vec<&Value> = components(&doc).collect();
        let mut seen = 0;
        while let Some(c) = stack.pop() {
            seen += 1;
            if seen > MAX_COMPONENTS {
                return Err(format!("more than {MAX_COMPONENTS} components"));
            }
            stack.extend(components(c));
            let name = str_at(c, "name").unwrap_or("?");
            match str_at(c, "purl") {
                Some(purl) => match package(purl, &cyclonedx_properties(c)) {
                    Ok(p) => out.packages.push(p),
                    Err(why) => skip(why, purl),
                },
                None => skip("no purl".to_string(), name),
            }
        }
    } else if let Some(version) = str_at(&doc, "spdxVersion") {
        out.format = version.to_string();
        let packages = doc.get("packages").and_then(Value::as_array);
        for p in packages.into_iter().flatten().take(MAX_COMPONENTS) {
            let name = str_at(p, "name").unwrap_or("?");
            let purl = p
                .get("externalRefs")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .find(|r| str_at(r, "referenceType") == Some("purl"))
                .and_then(|r| str_at(r, "referenceLocator"));
            match purl {
                Some(purl) => match package(purl, &[]) {
                    Ok(p) => out.packages.push(p),
                    Err(why) => skip(why, purl),
                },
                None => skip("no purl".to_string(), name),
            }
        }
    } else {
        return Err("neither CycloneDX (bomFormat) nor SPDX (spdxVersion) JSON".to_string());
    }
    // A stable order (the walk above is depth-first from the end).
    out.packages.sort_by(|a, b| {
        (&a.ecosystem, &a.name, &a.version).cmp(&(&b.ecosystem, &b.name, &b.version))
    });
    out.packages
        .dedup_by(|a, b| a.purl == b.purl && a.ecosystem == b.ecosystem);
    out.skipped = skipped
        .into_iter()
        .map(|(why, n, examples)| {
            let more = n - examples.len();
            format!(
                "{n} skipped: {why}: {}{}",
                examples.join(", "),
                if more > 0 {
                    format!(" and {more} more")
                } else {
                    String::new()
                }
            )
        })
        .collect();
    Ok(out)
}

fn str_at<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

fn components(v: &Value) -> impl Iterator<Item = &Value> {
    v.get("components")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
}

fn cyclonedx_properties(c: &Value) -> Vec<(&str, &str)> {
    c.get("properties")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|p| Some((str_at(p, "name")?, str_at(p, "value")?)))
        .collect()
}

/// The package for `purl`, refined by the tool's properties.
fn package(purl: &str, props: &[(&str, &str)]) -> Result<Package, String> {
    let prop = |k: &str| props.iter().find(|(n, _)| *n == k).map(|(_, v)| *v);
    let parsed = Purl::parse(purl).ok_or_else(|| "not a valid purl".to_string())?;
    let mut l = parsed.lookup()?;
    if let Some(eco) = prop("palisade:package:ecosystem") {
        l.ecosystem = eco.to_string();
    }
    let mut source_version = prop("palisade:package:source-version").map(str::to_string);
    if let Some(s) = prop("palisade:package:source-name").or(prop("aquasecurity:trivy:SrcName")) {
        l.source_name = Some(s.to_string());
    }
    if let Some(v) = prop("aquasecurity:trivy:SrcVersion") {
        source_version = Some(match prop("aquasecurity:trivy:SrcEpoch") {
            Some(e) if e != "0" && !v.contains(':') => format!("{e}:{v}"),
            _ => v.to_string(),
        });
    }
    if l.version.is_empty() {
        return Err("no version".to_string());
    }
    Ok(Package {
        name: parsed.name.clone(),
        version: l.version.clone(),
        ecosystem: l.ecosystem,
        purl: purl.to_string(),
        arch: parsed.qualifier("arch").map(str::to_string),
        // A distro package without a known source version: its own version
        // (the usual case; binNMUs differ only in the revision suffix).
        source_version: l
            .source_name
            .as_ref()
            .map(|_| source_version.unwrap_or(l.version)),
        source_name: l.source_name,
        licenses: Vec::new(),
        locations: Vec::<PackageLocation>::new(),
        files: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cyclonedx_nested_and_spdx() {
        let cdx = br#"{"bomFormat":"CycloneDX","specVersion":"1.5","components":[
          {"type":"library","name":"requests","purl":"pkg:pypi/requests@2.19.1","components":[
            {"type":"library","name":"inner","purl":"pkg:npm/%40a/b@1.0.0"}]},
          {"type":"library","name":"libssl3","purl":"pkg:deb/debian/libssl3@3.0.11-1~deb12u2?distro=debian-12.4",
           "properties":[{"name":"aquasecurity:trivy:SrcName","value":"openssl"},
                         {"name":"aquasecurity:trivy:SrcVersion","value":"3.0.11-1~deb12u2"}]},
          {"type":"file","name":"x"},
          {"type":"library","name":"r","purl":"pkg:rpm/redhat/bash@5"}]}"#;
        let s = read(cdx).unwrap();
        assert_eq!(s.format, "CycloneDX 1.5");
        let names: Vec<&str> = s.packages.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["libssl3", "requests", "b"]);
        assert_eq!(s.packages[0].source_name.as_deref(), Some("openssl"));
        assert_eq!(s.packages[0].ecosystem, "Debian:12");
        assert_eq!(s.skipped.len(), 2, "{:?}", s.skipped);
        assert!(
            s.skipped
                .iter()
                .any(|l| l.contains("rpm purl without a distro")
                    && l.contains("pkg:rpm/redhat/bash@5")),
            "{:?}",
            s.skipped
        );
        let spdx = br#"{"spdxVersion":"SPDX-2.3","packages":[{"name":"smallvec","externalRefs":[
          {"referenceCategory":"PACKAGE-MANAGER","referenceType":"purl","referenceLocator":"pkg:cargo/smallvec@1.6.0"}]}]}"#;
        let s = read(spdx).unwrap();
        assert_eq!(s.packages[0].ecosystem, "crates.io");
        assert!(read(b"{}").is_err());
        assert!(read(b"[").is_err());
    }
}
