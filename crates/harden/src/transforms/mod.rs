//! One transform per file. Each looks at the final filesystem (and, for the
//! user, at /etc/passwd and /etc/group) and adds its changes to the plan.

pub mod caches;
pub mod remove_tools;
pub mod setuid;
pub mod user;
