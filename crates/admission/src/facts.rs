//! What the registry says about an image, and where it comes from: the
//! `ImageSource` trait (the real one reads the registry with
//! palisade-image and scans with palisade-catalog and palisade-vulndb;
//! tests may use another).

use palisade_image::RegistryRef;
use palisade_model::Severity;

/// The manifest an image reference resolves to, and its config user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// `sha256:…` of the manifest (the platform's, for an index).
    pub digest: String,
    /// The config's `User` (empty means root).
    pub user: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Vuln {
    pub id: String,
    pub severity: Severity,
    pub package: String,
    pub version: String,
    pub fixed: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct VulnFacts {
    /// `palisade scan (DB built …)` or `signed vuln attestation (scanner …)`.
    pub source: String,
    pub vulns: Vec<Vuln>,
}

/// Blocking calls: the server runs them in `spawn_blocking` with a timeout.
pub trait ImageSource: Send + Sync {
    /// Tag or digest → manifest digest and config user.
    fn resolve(&self, reference: &RegistryRef) -> Result<Resolved, String>;
    /// Vulnerabilities of the image at `reference` (pinned by digest).
    fn scan(&self, reference: &RegistryRef) -> Result<VulnFacts, String>;
}
