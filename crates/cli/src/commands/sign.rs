//! `palisade sign REF --key FILE`: a cosign-compatible signature stored at
//! the image's `sha256-<hex>.sig` tag.

use super::image_args::ImageArgs;
use super::sign_keys::{annotations, read_signing_key, registry_ref};
use crate::output;
use anyhow::Result;
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
    let client = palisade_sign::connect(&image, &registry, true)?;
    let digest = palisade_sign::resolve(&client, &image)?;
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
