//! Recognises saved `aws ecr` outputs by their keys and parses them.

use crate::lifecycle::{self, LifecyclePolicy};
use crate::policy::{self, Policy, PolicyError, PolicyKind};
use serde::Deserialize;
use serde_json::Value;

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Repository {
    pub repository_name: String,
    #[serde(default)]
    pub repository_arn: Option<String>,
    #[serde(default)]
    pub image_tag_mutability: Option<String>,
    #[serde(default)]
    pub image_tag_mutability_exclusion_filters: Vec<ExclusionFilter>,
    #[serde(default)]
    pub image_scanning_configuration: Option<ScanningConfiguration>,
    #[serde(default)]
    pub encryption_configuration: Option<EncryptionConfiguration>,
    /// Which file described it.
    #[serde(skip)]
    pub input: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ExclusionFilter {
    #[serde(rename = "filterType", default)]
    pub filter_type: Option<String>,
    pub filter: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScanningConfiguration {
    #[serde(default)]
    pub scan_on_push: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EncryptionConfiguration {
    pub encryption_type: String,
    #[serde(default)]
    pub kms_key: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RegistryScanning {
    pub scan_type: String,
    #[serde(default)]
    pub rules: Vec<ScanRule>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScanRule {
    pub scan_frequency: String,
    #[serde(default)]
    pub repository_filters: Vec<RepositoryFilter>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct RepositoryFilter {
    pub filter: String,
}

/// One get-lifecycle-policy output.
#[derive(Debug)]
pub struct LifecycleInput {
    pub repository: String,
    /// The file it came from.
    pub input: String,
    pub policy: Result<LifecyclePolicy, PolicyError>,
}

/// Everything the audit read.
#[derive(Debug, Default)]
pub struct Inputs {
    pub repositories: Vec<Repository>,
    /// (repository name, parsed policy or its error).
    pub repository_policies: Vec<(String, Result<Policy, PolicyError>)>,
    pub lifecycle_policies: Vec<LifecycleInput>,
    pub registry_policy: Option<Result<Policy, PolicyError>>,
    /// (file or API call, configuration).
    pub registry_scanning: Option<(String, RegistryScanning)>,
    /// True when every repository's lifecycle policy was asked for (the live
    /// path): a missing one then means "none exists", not "not given".
    pub lifecycle_policies_complete: bool,
}

impl Inputs {
    /// Adds one saved CLI output; `input` names it in findings.
    pub fn add(&mut self, input: &str, text: &str) -> Result<(), String> {
        let v: Value =
            serde_json::from_str(text).map_err(|e| format!("{input}: invalid JSON: {e}"))?;
        let obj = v
            .as_object()
            .ok_or_else(|| format!("{input}: not a JSON object"))?;
        let str_field = |k: &str| obj.get(k).and_then(Value::as_str);
        if obj.contains_key("repositories") {
            let repos: Vec<Repository> = serde_json::from_value(obj["repositories"].clone())
                .map_err(|e| format!("{input}: not describe-repositories output: {e}"))?;
            self.add_repositories(input, repos);
        } else if let Some(text) = str_field("lifecyclePolicyText") {
            let repo = str_field("repositoryName").ok_or_else(|| {
                format!("{input}: get-lifecycle-policy output without repositoryName")
            })?;
            self.add_lifecycle_policy(repo, input, text);
        } else if let Some(text) = str_field("policyText") {
            match str_field("repositoryName") {
                Some(repo) => self.add_repository_policy(repo, input, text),
                None => self.set_registry_policy(input, text),
            }
        } else if obj.contains_key("scanningConfiguration") {
            let cfg: RegistryScanning =
                serde_json::from_value(obj["scanningConfiguration"].clone()).map_err(|e| {
                    format!("{input}: not get-registry-scanning-configuration output: {e}")
                })?;
            self.registry_scanning = Some((input.to_string(), cfg));
        } else {
            return Err(format!(
                "{input}: not a recognised `aws ecr` output (expected describe-repositories, get-repository-policy, get-lifecycle-policy, get-registry-policy or get-registry-scanning-configuration)"
            ));
        }
        Ok(())
    }

    /// Repositories as describe-repositories lists them; `input` names the source.
    pub fn add_repositories(&mut self, input: &str, repos: Vec<Repository>) {
        self.repositories.extend(repos.into_iter().map(|mut r| {
            r.input = input.to_string();
            r
        }));
    }

    /// A repository's lifecycle policy text (`lifecyclePolicyText`).
    pub fn add_lifecycle_policy(&mut self, repository: &str, input: &str, text: &str) {
        let parsed = lifecycle::parse(text, &format!("{input} (lifecyclePolicyText)"));
        self.lifecycle_policies.push(LifecycleInput {
            repository: repository.to_string(),
            input: input.to_string(),
            policy: parsed,
        });
    }

    /// A repository policy's text (`policyText` of get-repository-policy).
    pub fn add_repository_policy(&mut self, repository: &str, input: &str, text: &str) {
        let source = format!("{input} (policyText)");
        self.repository_policies.push((
            repository.to_string(),
            policy::parse(text, PolicyKind::Repository, &source),
        ));
    }

    /// The registry policy's text (`policyText` of get-registry-policy).
    pub fn set_registry_policy(&mut self, input: &str, text: &str) {
        let source = format!("{input} (policyText)");
        self.registry_policy = Some(policy::parse(text, PolicyKind::Registry, &source));
    }
}
