//! `palisade serve admission`: the Kubernetes admission webhook
//! (crates/admission), or its deployment manifests.

use anyhow::{Context, Result, anyhow, bail};
use clap::builder::TypedValueParser;
use clap::{Args, Subcommand};
use palisade_admission::cosign::Cosign;
use palisade_admission::evaluate::Evaluator;
use palisade_admission::manifests::{self, ManifestOptions, Resources, render};
use palisade_admission::policy::Policy;
use palisade_admission::registry::RegistrySource;
use palisade_admission::server::{Settings, load_policy};
use palisade_image::{OpenOptions, RegistryOptions};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

#[derive(Args, Debug)]
pub struct ServeArgs {
    #[command(subcommand)]
    pub command: ServeCommand,
}

#[derive(Subcommand, Debug)]
pub enum ServeCommand {
    /// Kubernetes validating (/validate) and mutating (/mutate) admission
    /// webhook over HTTPS: checks every container, initContainer and
    /// ephemeralContainer image of Pods, Deployments, StatefulSets,
    /// DaemonSets, ReplicaSets, Jobs and CronJobs against the policy
    /// (allowed registries, mutable tags, signatures, vulnerabilities,
    /// running as root), per rule enforce / warn / audit, and rewrites tags
    /// to the verified digests. Also /healthz, /readyz, /metrics.
    #[command(long_about = LONG_ABOUT)]
    Admission(AdmissionArgs),
}

const LONG_ABOUT: &str = "Kubernetes admission webhook (admission.k8s.io/v1 AdmissionReview over HTTPS).

POST /validate  denies a workload whose images break an enforced rule; the message names each image, the rule and the reason (for vulnerabilities: CVE ids, severity and fixed version, worst first); rules in warn mode become AdmissionReview warnings, audit mode only logs.
POST /mutate    rewrites image tags to the digests that were checked (JSONPatch), so what was checked is what runs.
GET  /healthz, /readyz (503 while shutting down), /metrics (Prometheus).

The policy is the `admission:` section of a .palisade.yaml (--config), reloaded when the file changes (a bad reload keeps the old policy and logs why); without --config a built-in policy applies (mutable tags denied, CRITICAL vulnerabilities denied, root warned). The certificate and key are reloaded when their files change (Secret volume updates included). Image facts (digest, user, signature, vulnerabilities) are cached by digest with the policy's TTL and dropped when the policy or the database changes. Signatures are cosign's (`.sig` tags and OCI referrers), verified for the resolved digest with the policy's public keys; a signed cosign vuln attestation can replace palisade's own scan (trust_attestations). Concurrent requests for the same uncached image share one registry fetch and scan (each keeps its own deadline; a failed fetch is not cached). Checks that cannot be made (registry down, scan timed out, unreadable key) deny with the reason unless the policy says on_error: allow.

Limits: request bodies 3 MiB, request headers within 5 s (idle kept-alive connections are closed after 5 s), TLS handshakes within 10 s, at most --max-connections open connections (beyond, new connections wait in the listen backlog rather than being refused, so the API server's call is delayed, not failed) and --max-handshakes TLS handshakes at once.

Deploy: `palisade serve admission --print-manifests | kubectl apply -f -`, or the Helm chart in deploy/helm/palisade-admission, which renders the same objects (values image, replicas, timeoutSeconds, failurePolicy, mutate, caBundle, policy, resources, createNamespace). Details: docs/admission.md.";

#[derive(Args, Debug)]
pub struct AdmissionArgs {
    /// Address to listen on
    #[arg(long, value_name = "ADDR", default_value = "0.0.0.0:8443")]
    pub listen: SocketAddr,
    /// Serving certificate chain (PEM), reloaded when it changes
    #[arg(long, value_name = "FILE", required_unless_present = "print_manifests")]
    pub tls_cert: Option<PathBuf>,
    /// Private key of the certificate (PEM), reloaded when it changes
    #[arg(long, value_name = "FILE", required_unless_present = "print_manifests")]
    pub tls_key: Option<PathBuf>,
    /// Policy: a .palisade.yaml with an `admission:` section (reloaded when it changes)
    #[arg(long, short = 'c', value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Vulnerability database for palisade's own scans (see `palisade db`);
    /// cached verdicts are dropped when it changes
    #[arg(long, value_name = "FILE", env = "PALISADE_DB")]
    pub db: Option<PathBuf>,
    /// Seconds to answer one review, registry and scan included; keep it
    /// under the webhook's timeoutSeconds
    #[arg(long, value_name = "SECONDS", default_value = "8", value_parser = seconds)]
    pub request_timeout: Duration,
    /// Seconds to wait for a registry to connect, answer or send more data
    #[arg(long, value_name = "SECONDS", default_value_t = 5)]
    pub registry_timeout: u64,
    /// Retries on registry rate limits, server errors and network errors
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub registry_retries: u32,
    /// Allow plain HTTP and unverified TLS for every registry (loopback
    /// registries may always use plain HTTP)
    #[arg(long)]
    pub insecure_registry: bool,
    /// Docker config file with registry credentials
    #[arg(long, value_name = "FILE")]
    pub docker_config: Option<PathBuf>,
    /// Seconds between checks of the certificate, policy and database files
    #[arg(long, value_name = "SECONDS", default_value = "2", value_parser = seconds)]
    pub poll: Duration,
    /// Connections open at once [default: admission.limits.max_connections
    /// of the policy, else 1024]. Beyond it palisade stops accepting: new
    /// connections wait in the listen backlog (the API server's call is
    /// delayed, not failed) until one closes; idle connections close after
    /// 5 s without a request
    #[arg(long, value_name = "N", env = "PALISADE_MAX_CONNECTIONS", value_parser = clap::value_parser!(u32).range(1..=1_000_000).map(|n| n as usize))]
    pub max_connections: Option<usize>,
    /// TLS handshakes in progress at once, the others wait their turn
    /// within the 10 s handshake deadline [default:
    /// admission.limits.max_handshakes of the policy, else 64]
    #[arg(long, value_name = "N", env = "PALISADE_MAX_HANDSHAKES", value_parser = clap::value_parser!(u32).range(1..=100_000).map(|n| n as usize))]
    pub max_handshakes: Option<usize>,

    /// Print the Kubernetes manifests (Namespace, ServiceAccount, policy
    /// ConfigMap, Deployment, Service, PodDisruptionBudget, Validating- and
    /// MutatingWebhookConfiguration) and exit
    #[arg(long)]
    pub print_manifests: bool,
    /// Namespace of the webhook (manifests)
    #[arg(long, value_name = "NS", default_value = "palisade-admission", value_parser = manifests::namespace)]
    pub namespace: String,
    /// Container image of palisade (manifests)
    #[arg(
        long,
        value_name = "IMAGE",
        default_value = "ghcr.io/palisade-sec/palisade:0.1.0",
        value_parser = image_reference
    )]
    pub image: String,
    /// Replicas (manifests)
    #[arg(long, value_name = "N", default_value_t = 2)]
    pub replicas: u32,
    /// The webhooks' timeoutSeconds, 1-30 (manifests)
    #[arg(long, value_name = "N", default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=30))]
    pub timeout_seconds: u32,
    /// The webhooks' failurePolicy: Fail (closed) or Ignore (manifests)
    #[arg(long, value_name = "POLICY", default_value = "Fail", value_parser = ["Fail", "Ignore"])]
    pub failure_policy: String,
    /// CA certificate (PEM) that signed the serving certificate, for caBundle (manifests)
    #[arg(long, value_name = "FILE")]
    pub ca_file: Option<PathBuf>,
    /// Leave out the MutatingWebhookConfiguration (manifests)
    #[arg(long)]
    pub no_mutate: bool,
    /// CPU request of the webhook container (manifests)
    #[arg(long, value_name = "QUANTITY", default_value = "100m", value_parser = manifests::quantity)]
    pub cpu_request: String,
    /// Memory request of the webhook container (manifests)
    #[arg(long, value_name = "QUANTITY", default_value = "128Mi", value_parser = manifests::quantity)]
    pub memory_request: String,
    /// CPU limit of the webhook container (manifests)
    #[arg(long, value_name = "QUANTITY", default_value = "1", value_parser = manifests::quantity)]
    pub cpu_limit: String,
    /// Memory limit of the webhook container (manifests)
    #[arg(long, value_name = "QUANTITY", default_value = "512Mi", value_parser = manifests::quantity)]
    pub memory_limit: String,
}

/// An image reference palisade can read, written into the manifests as given.
fn image_reference(s: &str) -> Result<String, String> {
    palisade_image::RegistryRef::parse(s).map_err(|e| format!("{s:?}: {e}"))?;
    if s.chars()
        .any(|c| c.is_whitespace() || c.is_control() || "\"'{}[],#&*!|>%`".contains(c))
    {
        return Err(format!("{s:?}: not an image reference"));
    }
    Ok(s.to_string())
}

fn seconds(s: &str) -> Result<Duration, String> {
    let v: f64 = s
        .trim_end_matches('s')
        .parse()
        .map_err(|_| format!("{s:?}: expected seconds"))?;
    if !(0.01..=3600.0).contains(&v) {
        return Err(format!("{s:?}: expected 0.01 to 3600 seconds"));
    }
    Ok(Duration::from_secs_f64(v))
}

pub fn run(args: ServeArgs) -> Result<ExitCode> {
    match args.command {
        ServeCommand::Admission(a) => admission(a),
    }
}

fn admission(args: AdmissionArgs) -> Result<ExitCode> {
    if args.print_manifests {
        let ca_pem = match &args.ca_file {
            Some(p) => std::fs::read_to_string(p).with_context(|| format!("{}", p.display()))?,
            None => String::new(),
        };
        print!(
            "{}",
            render(&ManifestOptions {
                namespace: args.namespace,
                image: args.image,
                replicas: args.replicas,
                timeout_seconds: args.timeout_seconds,
                failure_policy: args.failure_policy,
                ca_pem,
                mutate: !args.no_mutate,
                resources: Resources {
                    cpu_request: args.cpu_request,
                    memory_request: args.memory_request,
                    cpu_limit: args.cpu_limit,
                    memory_limit: args.memory_limit,
                },
            })
        );
        return Ok(ExitCode::SUCCESS);
    }
    let (Some(cert), Some(key)) = (args.tls_cert, args.tls_key) else {
        bail!("--tls-cert and --tls-key are required");
    };
    let policy = match &args.config {
        Some(p) => load_policy(p).map_err(|e| anyhow!(e))?,
        None => {
            eprintln!(
                "palisade: note: no --config: using the built-in admission policy (mutable tags and CRITICAL vulnerabilities denied, root warned)"
            );
            Policy::builtin()
        }
    };
    // Read once: a reloaded policy does not resize the server.
    let limits = (policy.max_connections, policy.max_handshakes);
    if args.registry_timeout == 0 {
        bail!("--registry-timeout must be at least 1 second");
    }
    let registry = RegistryOptions {
        insecure: args.insecure_registry,
        docker_config: args.docker_config,
        timeout: Duration::from_secs(args.registry_timeout),
        retries: args.registry_retries,
        ..RegistryOptions::default()
    };
    let source = RegistrySource {
        options: OpenOptions {
            registry: registry.clone(),
            ..OpenOptions::default()
        },
        db: args.db.clone(),
        threads: 2,
    };
    let evaluator = Arc::new(Evaluator::new(
        policy,
        Arc::new(source),
        Arc::new(Cosign { registry }),
        Arc::default(),
    ));
    let settings = Settings {
        listen: args.listen,
        cert,
        key,
        policy: args.config,
        db: args.db,
        request_timeout: args.request_timeout,
        poll: args.poll,
        max_connections: args
            .max_connections
            .or(limits.0)
            .unwrap_or(palisade_admission::server::MAX_CONNECTIONS),
        max_handshakes: args
            .max_handshakes
            .or(limits.1)
            .unwrap_or(palisade_admission::server::MAX_HANDSHAKES),
    };
    palisade_admission::server::run(settings, evaluator).map_err(|e| anyhow!(e))?;
    Ok(ExitCode::SUCCESS)
}
