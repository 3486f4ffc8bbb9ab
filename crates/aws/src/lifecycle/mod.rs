//! ECR lifecycle policies on any registry: parse and validate them as ECR
//! does, and preview which images they expire with ECR's documented
//! evaluation rules.

pub mod describe_images;
pub mod history;
pub mod policy;
pub mod preview;

pub use policy::{Action, LifecyclePolicy, Rule, parse};
pub use preview::{Image, Outcome, preview};
