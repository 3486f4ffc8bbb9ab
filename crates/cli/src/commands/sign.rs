//! `palisade sign REF --key FILE`: a cosign-compatible signature stored at
//! the image's `sha256-<hex>.sig` tag.

use super::image_args::ImageArgs;
use super::sign_keys::{annotations, read_signing_key, registry_ref};
use crate::output;
use anyhow::{Context, Result, bail};
use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args, Debug)]
pub struct SignArgs {
    #[command(flatten)]
    pub image: ImageArgs,

    /// Private key: cosign's ENCRYPTED SIGSTORE PRIVATE KEY (password from
    /// PALISADE_PASSWORD or COSIGN_PASSWORD, else asked on the terminal)
    #[arg(long, value_name = "FILE")]
    pub key: PathBuf,

    /// Annotation KEY=VALUE signed into the payload's `optional` map (repeatable)
    #[arg(long = "annotation", short = 'a', value_name = "KEY=VALUE")]
    pub annotations: Vec<String>,

    /// Store the signature in the registry (`--upload=false`: only write
    /// --output-signature / --output-payload)
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set, value_name = "BOOL")]
    pub upload: bool,

    /// Also write the signature (base64 DER, as cosign's --output-signature) to FILE
    #[arg(long, value_name = "FILE")]
    pub output_signature: Option<PathBuf>,

    /// Also write the exact signed payload bytes to FILE
    #[arg(long, value_name = "FILE")]
    pub output_payload: Option<PathBuf>,

    /// Output format of the summary
    #[arg(long, short = 'f', value_enum, default_value_t = SummaryFormat::Table)]
    pub format: SummaryFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum SummaryFormat {
    Table,
    Json,
}

pub fn run(args: SignArgs) -> Result<ExitCode> {
    let image = registry_ref(&args.image)?;
    let annotations = annotations(&args.annotations)?;
    let key = read_signing_key(&args.key)?;
    let registry = args.image.open_options()?.registry;
    let client = palisade_sign::connect(&image, &registry, args.upload)?;
    let digest = palisade_sign::resolve(&client, &image)?;
    if args.output_signature.is_some() || args.output_payload.is_some() || !args.upload {
        let (payload, signature) = palisade_sign::sign_payload(&image, &digest, &key, &annotations);
        if let Some(path) = &args.output_signature {
            use base64::Engine as _;
            let b64 = base64::engine::general_purpose::STANDARD.encode(&signature);
            std::fs::write(path, b64).with_context(|| format!("writing {}", path.display()))?;
        }
        if let Some(path) = &args.output_payload {
            std::fs::write(path, &payload)
                .with_context(|| format!("writing {}", path.display()))?;
        }
        if !args.upload {
            if args.output_signature.is_none() {
                bail!("--upload=false without --output-signature would throw the signature away");
            }
            eprintln!(
                "Signed {}@{digest} (not uploaded)",
                palisade_sign::repository_name(&image)
            );
            return Ok(ExitCode::SUCCESS);
        }
    }
    let signed = palisade_sign::sign_digest(&client, &image, &digest, &key, &annotations)?;
    let summary = serde_json::json!({
        "image": palisade_sign::repository_name(&image),
        "digest": digest.to_string(),
        "tag": signed.stored.tag,
        "layer_digest": signed.layer_digest.to_string(),
        "signatures_in_tag": signed.stored.layers,
        "writes": signed.stored.writes,
        "key_fingerprint": key.public_key().fingerprint(),
    });
    let text = match args.format {
        SummaryFormat::Json => output::json(&summary)?,
        SummaryFormat::Table => format!(
            "Signed {}@{digest}\n  stored as layer {} of tag {} ({} signature(s) there)\n  key {}\n",
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
