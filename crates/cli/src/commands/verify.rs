//! `palisade verify REF --key FILE`: checks the image's signatures (the
//! `.sig` tag and OCI 1.1 referrers). Exit codes: 0 verified,
//! [`EXIT_NOT_SIGNED`] no signature found, [`EXIT_INVALID`] signatures
//! found but none valid, 2 usage, input or registry errors.

use super::image_args::ImageArgs;
use super::sign::SummaryFormat;
use super::sign_keys::{annotations, read_public_keys, registry_ref};
use crate::output::{self, printable};
use anyhow::Result;
use clap::Args;
use palisade_sign::{VerifyError, VerifyOptions};
use std::path::PathBuf;
use std::process::ExitCode;

/// No signature (or attestation of the asked type) was found.
pub const EXIT_NOT_SIGNED: u8 = 10;
/// Signatures were found; none verified.
pub const EXIT_INVALID: u8 = 11;

#[derive(Args, Debug)]
#[command(
    after_help = "Exit codes: 0 verified, 10 not signed (no signature found), 11 invalid (signatures found, none verified), 2 usage, input or registry error."
)]
pub struct VerifyArgs {
    #[command(flatten)]
    pub image: ImageArgs,

    /// Public key PEM (PKIX PUBLIC KEY, ECDSA P-256 or P-384); repeat to
    /// trust several keys
    #[arg(long, value_name = "FILE", required = true)]
    pub key: Vec<PathBuf>,

    /// Require the signed payload to carry annotation KEY=VALUE (repeatable)
    #[arg(long = "annotation", short = 'a', value_name = "KEY=VALUE")]
    pub annotations: Vec<String>,

    /// Do not check that the payload's docker-reference names this repository
    #[arg(long)]
    pub skip_reference_check: bool,

    /// Output format
    #[arg(long, short = 'f', value_enum, default_value_t = SummaryFormat::Table)]
    pub format: SummaryFormat,
}

pub fn run(args: VerifyArgs) -> Result<ExitCode> {
    let image = registry_ref(&args.image)?;
    let options = VerifyOptions {
        keys: read_public_keys(&args.key)?,
        annotations: annotations(&args.annotations)?,
        reference: (!args.skip_reference_check).then(|| palisade_sign::repository_name(&image)),
    };
    let registry = args.image.open_options()?.registry;
    let client = palisade_sign::connect(&image, &registry, false)?;
    let digest = palisade_sign::resolve(&client, &image)?;
    let name = palisade_sign::repository_name(&image);
    match palisade_sign::verify_image_with(&client, &digest, &options) {
        Ok(v) => {
            let text = match args.format {
                SummaryFormat::Json => output::json(&serde_json::json!({
                    "status": "verified",
                    "image": name,
                    "digest": v.digest,
                    "verified": v.verified,
                    "rejected": v.rejected,
                }))?,
                SummaryFormat::Table => {
                    let mut s = format!("Verified {name}@{}\n", v.digest);
                    for sig in &v.verified {
                        s.push_str(&format!(
                            "  OK  {} key {}{}\n",
                            sig.source,
                            sig.key_fingerprint,
                            sig.docker_reference
                                .as_deref()
                                .map(|r| format!(" reference {}", printable(r)))
                                .unwrap_or_default()
                        ));
                        if !sig.annotations.is_empty() {
                            let a = serde_json::to_string(&sig.annotations)?;
                            s.push_str(&format!("      annotations {}\n", printable(&a)));
                        }
                    }
                    for r in &v.rejected {
                        s.push_str(&format!("  BAD {}\n", printable(r)));
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

/// Prints why verification failed (stderr; JSON on stdout too with
/// `--format json`) and returns the matching exit code.
pub fn failure(e: VerifyError, name: &str, format: SummaryFormat) -> Result<ExitCode> {
    let (status, code, reasons) = match &e {
        VerifyError::NotSigned { .. } => ("not-signed", EXIT_NOT_SIGNED, vec![]),
        VerifyError::Invalid { reasons, .. } => ("invalid", EXIT_INVALID, reasons.clone()),
        _ => return Err(e.into()),
    };
    if format == SummaryFormat::Json {
        output::write(
            None,
            &output::json(&serde_json::json!({
                "status": status,
                "image": name,
                "error": e.to_string(),
                "reasons": reasons,
            }))?,
        )?;
    }
    match &e {
        VerifyError::Invalid {
            subject,
            what,
            reasons,
        } => {
            eprintln!("palisade: verification failed: {name}@{subject}: no valid {what}:");
            for r in reasons {
                eprintln!("  - {}", printable(r));
            }
        }
        _ => eprintln!(
            "palisade: verification failed: {}",
            printable(&e.to_string())
        ),
    }
    Ok(ExitCode::from(code))
}
