//! The real [`ImageSource`]: the registry through palisade-image, and
//! vulnerabilities from palisade's own scan (palisade-catalog's
//! inventory matched against the palisade-vulndb database).

use crate::facts::{ImageSource, Resolved, Vuln, VulnFacts};
use palisade_image::{Analyzer, ImageRef, OpenOptions, RegistryRef, WalkOptions};
use std::path::PathBuf;

pub struct RegistrySource {
    pub options: OpenOptions,
    /// The vulnerability database file; without one, scans fail (and the
    /// policy's `on_error` decides).
    pub db: Option<PathBuf>,
    /// Layers read in parallel by one scan.
    pub threads: usize,
}

fn short(e: impl std::fmt::Display) -> String {
    crate::text::printable(crate::text::clip(&e.to_string(), 400))
}

impl ImageSource for RegistrySource {
    fn resolve(&self, reference: &RegistryRef) -> Result<Resolved, String> {
        let image = palisade_image::open(&ImageRef::Registry(reference.clone()), &self.options)
            .map_err(short)?;
        let digest = image
            .manifest_digest
            .as_ref()
            .ok_or("the registry gave no manifest digest")?
            .to_string();
        let user = image
            .config
            .config()
            .as_ref()
            .and_then(|c| c.user().clone())
            .unwrap_or_default();
        Ok(Resolved { digest, user })
    }

    fn scan(&self, reference: &RegistryRef) -> Result<VulnFacts, String> {
        let path = self
            .db
            .as_ref()
            .ok_or("no vulnerability database configured (--db)")?;
        let db = palisade_vulndb::Db::open(path)
            .map_err(|e| format!("vulnerability database: {}", short(e)))?;
        let image = palisade_image::open(&ImageRef::Registry(reference.clone()), &self.options)
            .map_err(short)?;
        let boxed = palisade_catalog::analyzers();
        let analyzers: Vec<&dyn Analyzer> = boxed.iter().map(|a| a.as_ref()).collect();
        // The blob digests are verified; the config's diff-ids add nothing
        // to what is scanned and cost a second hash on the cold path.
        let walk = WalkOptions {
            threads: self.threads,
            verify_diff_ids: false,
            ..WalkOptions::default()
        };
        let scan = palisade_image::walk(&image, &analyzers, &walk).map_err(short)?;
        let sbom = palisade_catalog::build(&scan, 0);
        let report =
            palisade_vulndb::match_packages(&db, &sbom.packages, &palisade_vulndb::EcosystemOrder)
                .map_err(short)?;
        Ok(VulnFacts {
            source: format!("palisade scan of {} packages", report.packages),
            vulns: report
                .matches
                .into_iter()
                // Informational advisories (RustSec unmaintained / unsound /
                // notice) are warnings, not vulnerabilities (as `cargo audit`).
                .filter(|m| m.informational.is_none())
                .map(|m| Vuln {
                    id: m.id,
                    severity: m.rating.severity,
                    package: m.package,
                    version: m.version,
                    fixed: m.fixed,
                })
                .collect(),
        })
    }
}
