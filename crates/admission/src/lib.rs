//! `palisade serve admission`: a Kubernetes validating and mutating
//! admission webhook that checks the images of Pods and pod templates
//! against a policy (allowed registries, mutable references, signatures,
//! vulnerabilities, running as root). See docs/admission.md.

pub mod attestation;
pub mod cache;
pub mod cosign;
pub mod evaluate;
pub mod facts;
pub mod flight;
pub mod images;
pub mod log;
pub mod manifests;
pub mod metrics;
pub mod policy;
pub mod registry;
pub mod review;
pub mod rules;
pub mod server;
pub mod signature;
pub mod text;
pub mod tls;
pub mod watch;
