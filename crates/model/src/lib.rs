//! Shared vocabulary of palisade.
//!
//! Everything palisade reports is a [`Finding`]; every finding has a
//! [`Severity`] and, where it points into an input, a [`Location`].
//! Secret redaction lives here because every crate that prints user data
//! (image config, history, files) must redact the same way.

pub mod finding;
pub mod package;
pub mod secret;

pub use finding::{Finding, Location, Severity, SeverityParseError, Vulnerability};
pub use package::{Package, PackageLocation};
pub use secret::{REDACTED, looks_like_secret_key, redact_assignment, redact_env};
