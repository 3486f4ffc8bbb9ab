//! The calls: DescribeRepositories (paginated), then per repository
//! GetRepositoryPolicy and GetLifecyclePolicy, and once per registry
//! GetRegistryPolicy and GetRegistryScanningConfiguration. "Not found"
//! answers mean "none configured"; any other error stops the audit.

use crate::{Connection, Error, Scope};
use aws_config::BehaviorVersion;
use aws_config::timeout::TimeoutConfig;
use aws_sdk_ecr::Client;
use aws_sdk_ecr::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_ecr::types;
use palisade_aws::ecr::Inputs;
use palisade_aws::ecr::Repository;
use palisade_aws::ecr::inputs::{
    EncryptionConfiguration, ExclusionFilter, RegistryScanning, RepositoryFilter, ScanRule,
    ScanningConfiguration,
};
use std::time::Duration;

/// A hostile or broken endpoint could hand out next-tokens forever.
const MAX_PAGES: usize = 1000;

/// Reads the registry's repositories and their policies into audit inputs.
/// Blocking: runs its own single-threaded runtime.
pub fn fetch(conn: &Connection, scope: &Scope) -> Result<Inputs, Error> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(Error::Runtime)?;
    rt.block_on(fetch_async(conn, scope))
}

async fn client(conn: &Connection) -> Result<Client, Error> {
    let timeout = conn.timeout.unwrap_or(Duration::from_secs(30));
    let mut loader = aws_config::defaults(BehaviorVersion::latest()).timeout_config(
        TimeoutConfig::builder()
            .connect_timeout(timeout)
            .read_timeout(timeout)
            .operation_timeout(timeout * 3)
            .build(),
    );
    if let Some(p) = &conn.profile {
        loader = loader.profile_name(p);
    }
    if let Some(r) = &conn.region {
        loader = loader.region(aws_config::Region::new(r.clone()));
    }
    if let Some(u) = &conn.endpoint_url {
        loader = loader.endpoint_url(u);
    }
    let config = loader.load().await;
    if config.region().is_none() {
        return Err(Error::NoRegion);
    }
    Ok(Client::new(&config))
}

fn call_error<E>(call: &'static str, e: SdkError<E>) -> Error
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let message = match e.as_service_error() {
        Some(s) => format!(
            "{}: {}",
            s.code().unwrap_or("error"),
            s.message().unwrap_or("(no message)")
        ),
        None => DisplayErrorContext(&e).to_string(),
    };
    Error::Call { call, message }
}

async fn fetch_async(conn: &Connection, scope: &Scope) -> Result<Inputs, Error> {
    let client = client(conn).await?;
    let mut inputs = Inputs {
        lifecycle_policies_complete: true,
        ..Inputs::default()
    };
    let repos = describe_repositories(&client, scope).await?;
    let names: Vec<String> = repos.iter().map(|r| r.repository_name.clone()).collect();
    let policies = per_repository(&client, &names).await?;
    for (name, (policy, lifecycle)) in names.iter().zip(policies) {
        if let Some(text) = policy {
            inputs.add_repository_policy(name, &format!("GetRepositoryPolicy {name}"), &text);
        }
        if let Some(text) = lifecycle {
            inputs.add_lifecycle_policy(name, &format!("GetLifecyclePolicy {name}"), &text);
        }
    }
    inputs.add_repositories("DescribeRepositories", repos);
    registry_policy(&client, &mut inputs).await?;
    let scanning = client
        .get_registry_scanning_configuration()
        .send()
        .await
        .map_err(|e| call_error("GetRegistryScanningConfiguration", e))?;
    if let Some(cfg) = scanning.scanning_configuration() {
        inputs.registry_scanning = Some((
            "GetRegistryScanningConfiguration".to_string(),
            registry_scanning(cfg),
        ));
    }
    Ok(inputs)
}

async fn describe_repositories(client: &Client, scope: &Scope) -> Result<Vec<Repository>, Error> {
    let mut out = Vec::new();
    let mut token: Option<String> = None;
    for _ in 0..MAX_PAGES {
        let mut req = client.describe_repositories().set_next_token(token.clone());
        if !scope.repositories.is_empty() {
            req = req.set_repository_names(Some(scope.repositories.clone()));
        }
        let page = req
            .send()
            .await
            .map_err(|e| call_error("DescribeRepositories", e))?;
        out.extend(page.repositories().iter().map(repository));
        match page.next_token() {
            Some(next) if Some(next) != token.as_deref() => token = Some(next.to_string()),
            Some(_) => {
                return Err(Error::Call {
                    call: "DescribeRepositories",
                    message: "the endpoint returned the same nextToken twice".into(),
                });
            }
            None => return Ok(out),
        }
    }
    Err(Error::TooManyPages {
        call: "DescribeRepositories",
        pages: MAX_PAGES,
    })
}

/// The SDK's repository in the shape describe-repositories prints.
fn repository(r: &types::Repository) -> Repository {
    Repository {
        repository_name: r.repository_name().unwrap_or_default().to_string(),
        repository_arn: r.repository_arn().map(str::to_string),
        image_tag_mutability: r.image_tag_mutability().map(|m| m.as_str().to_string()),
        image_tag_mutability_exclusion_filters: r
            .image_tag_mutability_exclusion_filters()
            .iter()
            .map(|f| ExclusionFilter {
                filter_type: Some(f.filter_type().as_str().to_string()),
                filter: f.filter().to_string(),
            })
            .collect(),
        image_scanning_configuration: r.image_scanning_configuration().map(|c| {
            ScanningConfiguration {
                scan_on_push: c.scan_on_push(),
            }
        }),
        encryption_configuration: r
            .encryption_configuration()
            .map(|e| EncryptionConfiguration {
                encryption_type: e.encryption_type().as_str().to_string(),
                kms_key: e.kms_key().map(str::to_string),
            }),
        input: String::new(),
    }
}

/// Repositories whose policies are asked for at once: the calls are
/// independent, and one at a time leaves the audit waiting on round trips.
const CONCURRENCY: usize = 8;

/// (repository policy, lifecycle policy) of each repository, in order.
async fn per_repository(
    client: &Client,
    names: &[String],
) -> Result<Vec<(Option<String>, Option<String>)>, Error> {
    let mut out = vec![(None, None); names.len()];
    for (chunk_index, chunk) in names.chunks(CONCURRENCY).enumerate() {
        let mut set = tokio::task::JoinSet::new();
        for (i, name) in chunk.iter().enumerate() {
            let (client, name) = (client.clone(), name.clone());
            set.spawn(async move {
                let policy = repository_policy(&client, &name).await;
                let lifecycle = lifecycle_policy(&client, &name).await;
                (chunk_index * CONCURRENCY + i, policy, lifecycle)
            });
        }
        while let Some(done) = set.join_next().await {
            let (i, policy, lifecycle) = done.map_err(|e| Error::Call {
                call: "GetRepositoryPolicy",
                message: format!("task failed: {e}"),
            })?;
            out[i] = (policy?, lifecycle?);
        }
    }
    Ok(out)
}

async fn repository_policy(client: &Client, repo: &str) -> Result<Option<String>, Error> {
    match client
        .get_repository_policy()
        .repository_name(repo)
        .send()
        .await
    {
        Ok(out) => Ok(out.policy_text().map(str::to_string)),
        Err(e)
            if e.as_service_error()
                .is_some_and(|s| s.is_repository_policy_not_found_exception()) =>
        {
            Ok(None)
        }
        Err(e) => Err(call_error("GetRepositoryPolicy", e)),
    }
}

async fn lifecycle_policy(client: &Client, repo: &str) -> Result<Option<String>, Error> {
    match client
        .get_lifecycle_policy()
        .repository_name(repo)
        .send()
        .await
    {
        Ok(out) => Ok(out.lifecycle_policy_text().map(str::to_string)),
        Err(e)
            if e.as_service_error()
                .is_some_and(|s| s.is_lifecycle_policy_not_found_exception()) =>
        {
            Ok(None)
        }
        Err(e) => Err(call_error("GetLifecyclePolicy", e)),
    }
}

async fn registry_policy(client: &Client, inputs: &mut Inputs) -> Result<(), Error> {
    match client.get_registry_policy().send().await {
        Ok(out) => {
            if let Some(text) = out.policy_text() {
                inputs.set_registry_policy("GetRegistryPolicy", text);
            }
            Ok(())
        }
        Err(e)
            if e.as_service_error()
                .is_some_and(|s| s.is_registry_policy_not_found_exception()) =>
        {
            Ok(())
        }
        Err(e) => Err(call_error("GetRegistryPolicy", e)),
    }
}

fn registry_scanning(cfg: &types::RegistryScanningConfiguration) -> RegistryScanning {
    RegistryScanning {
        scan_type: cfg
            .scan_type()
            .map_or("BASIC", types::ScanType::as_str)
            .to_string(),
        rules: cfg
            .rules()
            .iter()
            .map(|r| ScanRule {
                scan_frequency: r.scan_frequency().as_str().to_string(),
                repository_filters: r
                    .repository_filters()
                    .iter()
                    .map(|f| RepositoryFilter {
                        filter: f.filter().to_string(),
                    })
                    .collect(),
            })
            .collect(),
    }
}
