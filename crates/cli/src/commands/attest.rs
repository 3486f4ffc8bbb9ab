//! `palisade attest REF --key FILE --type T`: an in-toto statement about
//! the image (palisade's own vulnerability scan or SBOM, or a predicate
//! file) in a DSSE envelope at the image's `sha256-<hex>.att` tag; and
//! `palisade verify-attestation`.

use super::image_args::ImageArgs;
use super::sbom::{SbomFormat, standard_document};
use super::sign::SummaryFormat;
use super::sign_keys::{read_public_keys, read_signing_key, registry_ref};
use super::verify::failure;
use super::vuln::{self, VulnArgs};
use crate::output::{self, printable};
use anyhow::{Context, Result, bail};
use clap::Args;
use palisade_image::Analyzer;
use palisade_sign::VerifyOptions;
use std::io::Read as _;
use std::path::PathBuf;
use std::process::ExitCode;

/// Largest predicate file read.
const MAX_PREDICATE: u64 = 64 << 20;

#[derive(Args, Debug)]
pub struct AttestArgs {
    #[command(flatten)]
    pub image: ImageArgs,

    /// Private key (as for `palisade sign`)
    #[arg(long, value_name = "FILE")]
    pub key: PathBuf,

    /// Predicate type: vuln (palisade's scan), cyclonedx or spdx (palisade's
    /// SBOM), openvex, custom, slsaprovenance, slsaprovenance1, link, or a
    /// predicate type URI. openvex, custom, slsa* and URIs need --predicate.
    #[arg(long = "type", value_name = "TYPE")]
    pub kind: String,

    /// JSON file to attest as the predicate instead of palisade's own scan or SBOM
    #[arg(long, value_name = "FILE")]
    pub predicate: Option<PathBuf>,

    #[command(flatten)]
    pub vuln: VulnArgs,

    /// No progress bars
    #[arg(long, short = 'q')]
    pub quiet: bool,

    /// Output format of the summary
    #[arg(long, short = 'f', value_enum, default_value_t = SummaryFormat::Table)]
    pub format: SummaryFormat,
}

#[derive(Args, Debug)]
#[command(
    after_help = "Exit codes: 0 verified, 10 no attestation (of the type) found, 11 attestations found, none verified, 2 usage, input or registry error."
)]
pub struct VerifyAttestationArgs {
    #[command(flatten)]
    pub image: ImageArgs,

    /// Public key PEM (repeat to trust several keys)
    #[arg(long, value_name = "FILE", required = true)]
    pub key: Vec<PathBuf>,

    /// Only attestations of this predicate type (a name as for attest, or a URI)
    #[arg(long = "type", value_name = "TYPE")]
    pub kind: Option<String>,

    /// Output format: table prints each predicate as JSON after its source
    #[arg(long, short = 'f', value_enum, default_value_t = SummaryFormat::Table)]
    pub format: SummaryFormat,
}

fn predicate_type(kind: &str) -> Result<String> {
    if let Some(t) = palisade_sign::predicate_type_for(kind) {
        return Ok(t.to_string());
    }
    if kind.contains("://") {
        return Ok(kind.to_string());
    }
    bail!(
        "--type {kind:?}: expected vuln, cyclonedx, spdx, openvex, custom, slsaprovenance, slsaprovenance1, link or a URI"
    )
}

pub fn run(args: AttestArgs) -> Result<ExitCode> {
    let image = registry_ref(&args.image)?;
    let predicate_type = predicate_type(&args.kind)?;
    let key = read_signing_key(&args.key)?;
    let predicate = match &args.predicate {
        Some(path) => read_predicate(path)?,
        None => own_predicate(&args)?,
    };
    let registry = args.image.open_options()?.registry;
    let client = palisade_sign::connect(&image, &registry, true)?;
    let digest = palisade_sign::resolve(&client, &image)?;
    let signed =
        palisade_sign::attest_digest(&client, &image, &digest, &key, &predicate_type, predicate)?;
    let summary = serde_json::json!({
        "image": palisade_sign::repository_name(&image),
        "digest": digest.to_string(),
        "predicate_type": predicate_type,
        "tag": signed.stored.tag,
        "layer_digest": signed.layer_digest.to_string(),
        "attestations_in_tag": signed.stored.layers,
        "key_fingerprint": key.public_key().fingerprint(),
    });
    let text = match args.format {
        SummaryFormat::Json => output::json(&summary)?,
        SummaryFormat::Table => format!(
            "Attested {}@{digest} ({predicate_type})\n  stored as layer {} of tag {} ({} attestation(s) there)\n  key {}\n",
            palisade_sign::repository_name(&image),
            signed.layer_digest,
            signed.stored.tag,
            signed.stored.layers,
            key.public_key().fingerprint()
        ),
    };
    output::write(None, &text)?;
    Ok(ExitCode::SUCCESS)
}

fn read_predicate(path: &std::path::Path) -> Result<serde_json::Value> {
    let f = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let mut buf = Vec::new();
    f.take(MAX_PREDICATE + 1)
        .read_to_end(&mut buf)
        .with_context(|| format!("reading {}", path.display()))?;
    if buf.len() as u64 > MAX_PREDICATE {
        bail!("{}: predicate larger than 64 MiB", path.display());
    }
    serde_json::from_slice(&buf).with_context(|| format!("{}: not JSON", path.display()))
}

/// palisade's own scan or SBOM of the image, as the predicate.
fn own_predicate(args: &AttestArgs) -> Result<serde_json::Value> {
    let format = match args.kind.as_str() {
        "vuln" => None,
        "cyclonedx" => Some(SbomFormat::Cyclonedx),
        "spdx" | "spdxjson" => Some(SbomFormat::Spdx),
        other => bail!(
            "--type {other} needs --predicate FILE (palisade makes only vuln, cyclonedx and spdx predicates itself)"
        ),
    };
    let started = palisade_report::cyclonedx::now_timestamp();
    let boxed = palisade_catalog::analyzers();
    let analyzers: Vec<&dyn Analyzer> = boxed.iter().map(|a| a.as_ref()).collect();
    let (_reference, image, scan) = args.image.open_and_walk(&analyzers, args.quiet, false)?;
    let sbom = palisade_catalog::build(&scan, 0);
    if let Some(format) = format {
        let doc = standard_document(&args.image.reference, &image, &sbom, format, None);
        return Ok(serde_json::from_str(&doc)?);
    }
    let outcome = vuln::scan(&args.vuln, &sbom.packages, &args.image.reference, None)?;
    let db = outcome
        .summary
        .iter()
        .find(|(k, _)| k == "Vulnerability DB")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    // cosign's vuln predicate (COSIGN_VULN_ATTESTATION_SPEC.md).
    Ok(serde_json::json!({
        "invocation": {
            "parameters": null,
            "uri": "",
            "event_id": "",
            "builder.id": "",
        },
        "scanner": {
            "uri": "https://github.com/palisade-sec/palisade",
            "version": env!("CARGO_PKG_VERSION"),
            "db": {"uri": db, "version": ""},
            "result": {
                "findings": outcome.findings,
                "summary": outcome.summary.iter().map(|(k, v)| serde_json::json!({k: v})).collect::<Vec<_>>(),
            },
        },
        "metadata": {
            "scanStartedOn": started,
            "scanFinishedOn": palisade_report::cyclonedx::now_timestamp(),
        },
    }))
}

pub fn run_verify(args: VerifyAttestationArgs) -> Result<ExitCode> {
    let image = registry_ref(&args.image)?;
    let predicate_type = args.kind.as_deref().map(predicate_type).transpose()?;
    let options = VerifyOptions {
        keys: read_public_keys(&args.key)?,
        annotations: Default::default(),
        reference: None,
    };
    let registry = args.image.open_options()?.registry;
    let client = palisade_sign::connect(&image, &registry, false)?;
    let digest = palisade_sign::resolve(&client, &image)?;
    let name = palisade_sign::repository_name(&image);
    match palisade_sign::verify_attestation_with(
        &client,
        &digest,
        &options,
        predicate_type.as_deref(),
    ) {
        Ok(list) => {
            let text = match args.format {
                SummaryFormat::Json => output::json(&serde_json::json!({
                    "status": "verified",
                    "image": name,
                    "digest": digest.to_string(),
                    "attestations": list,
                }))?,
                SummaryFormat::Table => {
                    let mut s = format!(
                        "Verified {} attestation(s) of {name}@{digest}\n",
                        list.len()
                    );
                    for a in &list {
                        s.push_str(&format!(
                            "  OK  {} key {}\n      predicateType {}\n",
                            a.source,
                            a.key_fingerprint,
                            printable(&a.predicate_type)
                        ));
                        s.push_str(&output::json(&a.predicate)?);
                        s.push('\n');
                    }
                    s
                }
            };
            output::write(None, &text)?;
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => failure(e, &name, args.format),
    }
}
