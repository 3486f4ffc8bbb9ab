//! The `palisade` command line.

mod commands;
mod output;
mod progress;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Exit code for usage and input errors (clap uses it for usage errors too).
pub const EXIT_INPUT_ERROR: u8 = 2;

#[derive(Parser)]
#[command(
    name = "palisade",
    version,
    about = "Container image security: the practices of the EKS image-security guide in one tool",
    long_about = "palisade reads container images from OCI layouts, docker-archives and registries in one \
streaming pass per layer.\n\nImage references:\n  oci:DIR[:TAG|@DIGEST]            an OCI image layout directory\n  \
docker-archive:FILE[:NAME:TAG|:@N]  a `docker save` tar (gzip or not)\n  docker://HOST/REPO[:TAG|@DIGEST]  an image in a registry\n  \
HOST/REPO:TAG                     the same, without the prefix\n  \
dir:PATH                          a root filesystem directory (unpacked image), as one layer\n\nExit codes: 0 success, 2 usage or input error.",
    propagate_version = true
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Show an image's config, history and layers: digests, sizes, files
    /// added/modified/deleted per layer, wasted bytes and efficiency (as dive computes it)
    Inspect(commands::inspect::InspectArgs),
    /// Audit an image for what the image-security guide forbids: setuid/setgid
    /// files, shells, network tools and package managers, running as root,
    /// loose permissions, secrets (files, config, history, hidden layers),
    /// risky history steps, caches and wasted space
    Image(commands::image::ImageCommandArgs),
    /// List the packages installed in an image or rootfs (dpkg, apk, rpm;
    /// Python and poetry/Pipfile/uv lock files, npm (and its hidden lock
    /// file)/yarn/pnpm, Cargo, Composer, Go (1.13+) and Rust binaries, Java
    /// archives, gems, .NET) with versions, source packages, OSV ecosystems and purls
    Sbom(commands::sbom::SbomArgs),
    /// Vulnerability database: import osv.dev all.zip files or OSV JSON,
    /// update from osv.dev or a mirror, show what it holds
    Db(commands::db::DbArgs),
    /// ECR governance: simulate and check IAM, ECR repository/registry and
    /// VPC endpoint policies, preview and apply lifecycle policies on any
    /// registry, audit saved `aws ecr` outputs
    Aws(commands::aws::AwsArgs),
    /// Defang an image and write it back: strip setuid/setgid, remove shells,
    /// package managers and named tools, run as non-root, drop package caches,
    /// optionally squash; output to an OCI layout, docker-archive or registry
    Harden(Box<commands::harden::HardenArgs>),
    /// Lint Dockerfiles with a BuildKit-compatible parser: the image-security
    /// guide's rules plus hadolint and Trivy parity (`--list-rules`)
    Dockerfile(commands::dockerfile::DockerfileArgs),
    /// Scan a directory or unpacked root filesystem: vulnerabilities of the
    /// installed packages and secrets, with the same outputs, ignore file
    /// and --fail-on gate as `palisade image`
    Fs(commands::fs::FsArgs),
    /// Scan an SBOM (CycloneDX or SPDX JSON, from palisade, syft, trivy...)
    /// for vulnerabilities of the packages it lists, by purl
    SbomScan(commands::sbom_scan::SbomScanArgs),
    /// Create an ECDSA P-256 key pair in cosign's formats (encrypted
    /// private key, PKIX public key)
    Keygen(commands::keygen::KeygenArgs),
    /// Sign an image in a registry, cosign-compatibly (`sha256-<hex>.sig` tag)
    Sign(Box<commands::sign::SignArgs>),
    /// Verify an image's signatures (`.sig` tag and OCI 1.1 referrers);
    /// exit 0 verified, 10 not signed, 11 invalid
    Verify(Box<commands::verify::VerifyArgs>),
    /// Attest an image: palisade's vulnerability scan or SBOM, or a given
    /// predicate, as a signed in-toto statement (`.att` tag)
    Attest(Box<commands::attest::AttestArgs>),
    /// Verify an image's attestations and print their predicates;
    /// exit 0 verified, 10 none found, 11 invalid
    VerifyAttestation(Box<commands::attest::VerifyAttestationArgs>),
    /// Servers: `serve admission`, the Kubernetes admission webhook
    /// (image policy: registries, mutable tags, signatures, vulnerabilities, root)
    Serve(commands::serve::ServeArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Inspect(args) => commands::inspect::run(args),
        Command::Image(args) => commands::image::run(args),
        Command::Sbom(args) => commands::sbom::run(args),
        Command::Db(args) => commands::db::run(args),
        Command::Aws(args) => commands::aws::run(args),
        Command::Harden(args) => commands::harden::run(*args),
        Command::Dockerfile(args) => commands::dockerfile::run(args),
        Command::Fs(args) => commands::fs::run(args),
        Command::SbomScan(args) => commands::sbom_scan::run(args),
        Command::Keygen(args) => commands::keygen::run(args),
        Command::Sign(args) => commands::sign::run(*args),
        Command::Verify(args) => commands::verify::run(*args),
        Command::Attest(args) => commands::attest::run(*args),
        Command::VerifyAttestation(args) => commands::attest::run_verify(*args),
        Command::Serve(args) => commands::serve::run(args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            // One line: what failed on which input, and why.
            let mut msg = e.to_string();
            for cause in e.chain().skip(1) {
                let c = cause.to_string();
                if !msg.contains(&c) {
                    msg.push_str(": ");
                    msg.push_str(&c);
                }
            }
            // Messages can quote hostile input (tar headers, file names):
            // escape control characters so they stay one harmless line.
            let msg: String = msg
                .chars()
                .map(|c| {
                    if c.is_control() {
                        c.escape_default().to_string()
                    } else {
                        c.to_string()
                    }
                })
                .collect();
            eprintln!("palisade: error: {msg}");
            ExitCode::from(EXIT_INPUT_ERROR)
        }
    }
}
