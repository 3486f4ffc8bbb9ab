//! `palisade keygen`: an ECDSA P-256 key pair in cosign's formats.

use super::sign_keys::password;
use anyhow::{Context, Result, bail};
use clap::Args;
use palisade_sign::SigningKey;
use std::io::Write as _;
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args, Debug)]
pub struct KeygenArgs {
    /// Write PREFIX.key (encrypted private key, mode 0600) and PREFIX.pub
    #[arg(long, value_name = "PREFIX", default_value = "cosign")]
    pub output_key_prefix: PathBuf,

    /// Overwrite existing key files
    #[arg(long)]
    pub force: bool,
}

pub fn run(args: KeygenArgs) -> Result<ExitCode> {
    let prefix = args.output_key_prefix.display().to_string();
    let private = PathBuf::from(format!("{prefix}.key"));
    let public = PathBuf::from(format!("{prefix}.pub"));
    if !args.force {
        for p in [&private, &public] {
            if p.exists() {
                bail!(
                    "{} already exists (pass --force to overwrite it)",
                    p.display()
                );
            }
        }
    }
    let password = password(true)?;
    let key = SigningKey::generate();
    let pem = zeroize::Zeroizing::new(key.to_encrypted_pem(password.as_bytes())?);
    // Created 0600 from the start; an existing file (with --force) is
    // truncated and its mode set again.
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&private)
        .with_context(|| format!("creating {}", private.display()))?;
    std::fs::set_permissions(
        &private,
        std::os::unix::fs::PermissionsExt::from_mode(0o600),
    )
    .with_context(|| format!("setting the mode of {}", private.display()))?;
    f.write_all(pem.as_bytes())
        .with_context(|| format!("writing {}", private.display()))?;
    std::fs::write(&public, key.public_key().to_pem())
        .with_context(|| format!("writing {}", public.display()))?;
    eprintln!(
        "Private key written to {} (encrypted, mode 0600)\nPublic key written to {} (fingerprint {})",
        private.display(),
        public.display(),
        key.public_key().fingerprint()
    );
    Ok(ExitCode::SUCCESS)
}
