//! Key files and passwords for keygen, sign and attest, and the registry
//! reference the signing commands need.

use super::image_args::ImageArgs;
use anyhow::{Context, Result, bail};
use palisade_image::{ImageRef, RegistryRef};
use palisade_sign::{PublicKey, SigningKey};
use std::collections::BTreeMap;
use std::io::IsTerminal as _;
use std::path::Path;
use zeroize::Zeroizing;

/// Variables the key password is read from, in order (cosign's name second).
pub const PASSWORD_VARS: [&str; 2] = ["PALISADE_PASSWORD", "COSIGN_PASSWORD"];

/// The password: from the environment, else asked on the terminal
/// (`confirm` asks twice, for a new key).
pub fn password(confirm: bool) -> Result<Zeroizing<String>> {
    for var in PASSWORD_VARS {
        if let Ok(p) = std::env::var(var) {
            return Ok(Zeroizing::new(p));
        }
    }
    if !std::io::stdin().is_terminal() {
        bail!(
            "no key password: set PALISADE_PASSWORD (or COSIGN_PASSWORD), or run on a terminal to be asked"
        );
    }
    let first = Zeroizing::new(
        rpassword::prompt_password("Enter password for private key: ")
            .context("reading the password")?,
    );
    if confirm {
        let again = Zeroizing::new(
            rpassword::prompt_password("Enter password for private key again: ")
                .context("reading the password")?,
        );
        if *again != *first {
            bail!("the two passwords differ");
        }
    }
    Ok(first)
}

pub fn read_signing_key(path: &Path) -> Result<SigningKey> {
    let pem = read_small(path)?;
    let password = password(false)?;
    SigningKey::from_pem(&pem, password.as_bytes())
        .with_context(|| format!("reading the private key {}", path.display()))
}

pub fn read_public_keys(paths: &[std::path::PathBuf]) -> Result<Vec<PublicKey>> {
    paths
        .iter()
        .map(|p| {
            PublicKey::from_pem(&read_small(p)?)
                .with_context(|| format!("reading the public key {}", p.display()))
        })
        .collect()
}

fn read_small(path: &Path) -> Result<Vec<u8>> {
    use std::io::Read as _;
    let f = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let mut buf = Vec::new();
    f.take(palisade_sign::keys::MAX_KEY_FILE as u64 + 1)
        .read_to_end(&mut buf)
        .with_context(|| format!("reading {}", path.display()))?;
    Ok(buf)
}

/// `-a key=value` pairs.
pub fn annotations(pairs: &[String]) -> Result<BTreeMap<String, String>> {
    pairs
        .iter()
        .map(|p| match p.split_once('=') {
            Some((k, v)) if !k.is_empty() => Ok((k.to_string(), v.to_string())),
            _ => bail!("annotation {p:?} is not key=value"),
        })
        .collect()
}

/// The registry image the command names (signatures live in registries).
pub fn registry_ref(args: &ImageArgs) -> Result<RegistryRef> {
    match args.image_ref()? {
        ImageRef::Registry(r) => Ok(r),
        other => bail!(
            "{other}: signatures are stored in a registry: give docker://HOST/REPO[:TAG|@DIGEST] or HOST/REPO:TAG"
        ),
    }
}
