//! One file per rule. Each takes what it needs (the reference, the
//! container, facts read from the registry) and returns why the image
//! fails it, or nothing.

pub mod mutable_refs;
pub mod registries;
pub mod run_as_root;
pub mod signature;
pub mod vulnerabilities;
