//! Live ECR state through the AWS SDK for Rust (`aws-sdk-ecr`): the same
//! [`Inputs`] the offline audit builds from saved `aws ecr` outputs, fetched
//! from the account the credentials belong to (or any endpoint that speaks
//! the ECR API, such as moto's server mode, with `endpoint_url`).
//!
//! Credentials and region come from the usual places (`AWS_ACCESS_KEY_ID` /
//! `AWS_SECRET_ACCESS_KEY` / `AWS_SESSION_TOKEN`, `AWS_PROFILE` and the
//! shared config files, web identity, the container and instance metadata
//! services). They are never printed: errors carry the service's error code
//! and message only.

mod fetch;

pub use fetch::fetch;
use std::time::Duration;

/// Where and how to reach ECR.
#[derive(Debug, Clone, Default)]
pub struct Connection {
    /// Overrides the service endpoint (`http://127.0.0.1:5000` for moto).
    pub endpoint_url: Option<String>,
    /// Overrides the region of the environment or profile.
    pub region: Option<String>,
    /// A named profile of the shared config files.
    pub profile: Option<String>,
    /// Bounds every connect and every call, retries included.
    pub timeout: Option<Duration>,
}

/// What to read.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    /// Repository names; empty means every repository of the registry.
    pub repositories: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("no AWS region: pass --region or set AWS_REGION (or a region in the profile)")]
    NoRegion,
    #[error("{call}: {message}")]
    Call { call: &'static str, message: String },
    #[error("{call}: the endpoint kept paginating past {pages} pages")]
    TooManyPages { call: &'static str, pages: usize },
    #[error("cannot start the async runtime: {0}")]
    Runtime(std::io::Error),
}
