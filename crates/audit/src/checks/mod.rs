//! The audit checks, one per file.

mod add_remote_url;
mod curl_pipe_shell;
mod efficiency;
mod empty_password;
mod hidden_setuid;
mod mutable_tag;
pub mod network_tools;
mod no_healthcheck;
pub mod package_caches;
pub mod package_managers;
mod runs_as_root;
mod secret_in_config;
mod secret_in_file;
mod secret_in_history;
mod secret_in_lower_layer;
mod sensitive_file_readable;
mod setuid_setgid;
pub mod shells;
mod world_writable;

pub mod tools;

use crate::Check;

/// Every check, in rule-id order.
pub static ALL: &[&dyn Check] = &[
    &setuid_setgid::SetuidSetgid,
    &hidden_setuid::HiddenSetuid,
    &shells::Shells,
    &network_tools::NetworkTools,
    &package_managers::PackageManagers,
    &runs_as_root::RunsAsRoot,
    &world_writable::WorldWritable,
    &sensitive_file_readable::SensitiveFileReadable,
    &empty_password::EmptyPassword,
    &no_healthcheck::NoHealthcheck,
    &add_remote_url::AddRemoteUrl,
    &curl_pipe_shell::CurlPipeShell,
    &mutable_tag::MutableTag,
    &package_caches::PackageCaches,
    &efficiency::Efficiency,
    &secret_in_file::SecretInFile,
    &secret_in_lower_layer::SecretInLowerLayer,
    &secret_in_config::SecretInConfig,
    &secret_in_history::SecretInHistory,
];

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn rule_ids_are_unique_and_documented() {
        let mut seen = HashSet::new();
        for c in ALL {
            let d = c.doc();
            assert!(seen.insert(d.id), "duplicate id {}", d.id);
            assert!(d.id.starts_with("PAL-IMG-"), "{}", d.id);
            assert!(
                !d.title.is_empty() && !d.rationale.is_empty() && !d.fix.is_empty(),
                "{}",
                d.id
            );
        }
    }
}
