//! The admission policy: the `admission:` section of `.palisade.yaml`
//! (the file the Dockerfile linter reads; its `dockerfile.trusted_bases`
//! is the curated allow-list both share). Parsing is strict: unknown keys
//! are errors, so a typo cannot silently turn a rule off.

pub mod parse;
mod pattern;

pub use parse::parse;
pub use pattern::{ImagePattern, normalize_image};

use palisade_model::Severity;
use std::time::Duration;

/// What a rule does when it fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// Not checked.
    #[default]
    Off,
    /// Deny the request.
    Enforce,
    /// Allow, with an AdmissionReview warning.
    Warn,
    /// Allow, and only log.
    Audit,
}

impl Mode {
    pub fn name(self) -> &'static str {
        match self {
            Mode::Off => "off",
            Mode::Enforce => "enforce",
            Mode::Warn => "warn",
            Mode::Audit => "audit",
        }
    }
}

/// What to do when a check cannot be carried out (registry down, scan
/// timed out, signature verification unavailable).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OnError {
    /// Deny, naming the reason (fail closed).
    #[default]
    Deny,
    /// Allow with a warning naming the reason (fail open).
    Allow,
}

/// The rules in force for one namespace.
#[derive(Debug, Clone, PartialEq)]
pub struct Rules {
    /// Allowed registries / repositories (globs); empty with the rule on
    /// means nothing is allowed.
    pub registries: Mode,
    pub allowed: Vec<ImagePattern>,
    /// Mutable references.
    pub mutable_refs: Mode,
    /// Require `@sha256:…`; otherwise only `:latest` and untagged are mutable.
    pub require_digest: bool,
    /// A valid signature from one of `keys` (PEM public key files).
    pub signature: Mode,
    pub keys: Vec<String>,
    /// Vulnerabilities at or above `max_severity`.
    pub vulnerabilities: Mode,
    pub max_severity: Severity,
    pub ignore_unfixed: bool,
    /// Take the findings from a signed cosign vuln attestation when there is one.
    pub trust_attestations: bool,
    /// CVEs listed per image in a denial.
    pub top: usize,
    /// Running as root: no `runAsNonRoot`, and uid 0 from `runAsUser` or the image.
    pub run_as_root: Mode,
    pub on_error: OnError,
}

impl Default for Rules {
    fn default() -> Self {
        Rules {
            registries: Mode::Off,
            allowed: Vec::new(),
            mutable_refs: Mode::Off,
            require_digest: false,
            signature: Mode::Off,
            keys: Vec::new(),
            vulnerabilities: Mode::Off,
            max_severity: Severity::Critical,
            ignore_unfixed: false,
            trust_attestations: false,
            top: 5,
            run_as_root: Mode::Off,
            on_error: OnError::Deny,
        }
    }
}

/// An exemption: these rules do not apply to these images in these
/// namespaces, until `expires` (inclusive).
#[derive(Debug, Clone, PartialEq)]
pub struct Exemption {
    pub namespaces: Vec<glob::Pattern>,
    pub images: Vec<ImagePattern>,
    /// Rule names; empty means every rule.
    pub rules: Vec<String>,
    pub reason: String,
    /// (year, month, day).
    pub expires: Option<(i32, u32, u32)>,
}

impl Exemption {
    pub fn applies_to(&self, namespace: &str, image: &str, rule: &str) -> bool {
        (self.namespaces.is_empty() || self.namespaces.iter().any(|p| p.matches(namespace)))
            && (self.images.is_empty() || self.images.iter().any(|p| p.matches(image)))
            && (self.rules.is_empty() || self.rules.iter().any(|r| r == rule))
    }

    pub fn expired(&self, today: (i32, u32, u32)) -> bool {
        self.expires.is_some_and(|e| e < today)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    pub rules: Rules,
    /// Namespace glob → the rules there (the defaults with the override's keys replaced).
    pub namespaces: Vec<(glob::Pattern, Rules)>,
    pub exemptions: Vec<Exemption>,
    /// How long a resolved image's facts (digest, user, signature,
    /// vulnerabilities) are reused.
    pub cache_ttl: Duration,
    pub cache_size: usize,
    /// How long a tag → digest resolution is reused.
    pub tag_ttl: Duration,
    /// Connection and TLS handshake limits (`admission.limits`), read
    /// when the server starts (the flags win); a reload does not resize
    /// them.
    pub max_connections: Option<usize>,
    pub max_handshakes: Option<usize>,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            rules: Rules::default(),
            namespaces: Vec::new(),
            exemptions: Vec::new(),
            cache_ttl: Duration::from_secs(600),
            cache_size: 1000,
            tag_ttl: Duration::from_secs(30),
            max_connections: None,
            max_handshakes: None,
        }
    }
}

/// Rule names as written in the policy, exemptions and messages.
pub const RULE_NAMES: [&str; 5] = [
    "registries",
    "mutable_refs",
    "signature",
    "vulnerabilities",
    "run_as_root",
];

impl Policy {
    /// The rules for a namespace: the first matching override, else the defaults.
    pub fn rules_for(&self, namespace: &str) -> &Rules {
        self.namespaces
            .iter()
            .find(|(p, _)| p.matches(namespace))
            .map_or(&self.rules, |(_, r)| r)
    }

    /// Whether any rule anywhere needs to look into the image.
    pub fn needs_registry(&self) -> bool {
        std::iter::once(&self.rules)
            .chain(self.namespaces.iter().map(|(_, r)| r))
            .any(|r| {
                r.signature != Mode::Off
                    || r.vulnerabilities != Mode::Off
                    || r.run_as_root != Mode::Off
            })
    }
}

/// The policy used without `--config`: the one the printed manifests ship.
pub const BUILTIN: &str = "admission:
  rules:
    mutable_refs: {mode: enforce}
    run_as_root: {mode: warn}
    vulnerabilities: {mode: enforce, max_severity: CRITICAL, top: 5}
";

impl Policy {
    pub fn builtin() -> Policy {
        parse(BUILTIN).expect("the built-in policy parses")
    }
}
