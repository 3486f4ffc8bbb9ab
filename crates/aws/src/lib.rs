//! AWS governance for container registries: the IAM policy language
//! (identity, ECR repository and registry, VPC endpoint policies) with an
//! evaluator that answers "can P do A on R?" across every layer, and
//! checks of those policies.

pub mod arn;
pub mod check;
pub mod condition;
pub mod ecr;
pub mod eks_accounts;
pub mod evaluate;
pub mod json;
pub mod lifecycle;
pub mod policy;
pub mod request;
pub mod variables;
pub mod wildcard;

pub use evaluate::{Decision, Evaluation, LayerOutcome, StatementRef, evaluate};
pub use policy::{Policy, PolicyError, PolicyKind, parse};
pub use request::Request;
