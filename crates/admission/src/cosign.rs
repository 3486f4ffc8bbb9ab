//! [`SignatureCheck`] with palisade-sign: cosign-compatible signatures and
//! attestations (the `.sig`/`.att` tags and OCI 1.1 referrers), verified
//! with the policy's public keys; the payload's `docker-reference` must
//! name the image's repository.

use crate::signature::{SigResult, SignatureCheck};
use palisade_image::{RegistryOptions, RegistryRef};
use palisade_sign::{PublicKey, VerifyError, VerifyOptions};

pub struct Cosign {
    pub registry: RegistryOptions,
}

/// Public keys are small: a bigger file is not one.
const MAX_KEY: u64 = 64 << 10;

fn keys(files: &[String]) -> Result<Vec<PublicKey>, String> {
    files
        .iter()
        .map(|f| {
            let pem = crate::watch::read_bounded(std::path::Path::new(f), MAX_KEY)?;
            PublicKey::from_pem(&pem).map_err(|e| format!("{f}: {e}"))
        })
        .collect()
}

fn options(reference: &RegistryRef, files: &[String]) -> Result<VerifyOptions, String> {
    Ok(VerifyOptions {
        keys: keys(files)?,
        annotations: Default::default(),
        reference: Some(palisade_sign::repository_name(reference)),
    })
}

fn short(e: impl std::fmt::Display) -> String {
    crate::text::printable(crate::text::clip(&e.to_string(), 300))
}

impl SignatureCheck for Cosign {
    fn verify(&self, reference: &RegistryRef, files: &[String]) -> SigResult {
        let Some(digest) = &reference.digest else {
            return SigResult::Unavailable("the image was not resolved to a digest".into());
        };
        let options = match options(reference, files) {
            Ok(o) => o,
            Err(e) => return SigResult::Unavailable(format!("policy key: {}", short(e))),
        };
        match palisade_sign::verify_image(reference, digest, &self.registry, &options) {
            Ok(v) => SigResult::Verified {
                key: v
                    .verified
                    .first()
                    .map(|s| s.key_fingerprint.clone())
                    .unwrap_or_default(),
            },
            Err(VerifyError::NotSigned { .. }) => SigResult::NotSigned,
            Err(e @ VerifyError::Invalid { .. }) => SigResult::Invalid(short(e)),
            Err(e) => SigResult::Unavailable(short(e)),
        }
    }

    fn vuln_attestation(
        &self,
        reference: &RegistryRef,
        files: &[String],
    ) -> Result<Option<serde_json::Value>, String> {
        let digest = reference
            .digest
            .as_ref()
            .ok_or("the image was not resolved to a digest")?;
        let options = options(reference, files)?;
        match palisade_sign::verify_attestation(
            reference,
            digest,
            &self.registry,
            &options,
            Some(crate::attestation::PREDICATE_TYPE),
        ) {
            Ok(found) => Ok(found.into_iter().next().map(|a| a.predicate)),
            // No attestation, or none that verifies: palisade scans the
            // image itself instead of trusting it.
            Err(VerifyError::NotSigned { .. }) => Ok(None),
            Err(e @ VerifyError::Invalid { .. }) => {
                crate::log::event(
                    serde_json::json!({"event": "attestation_rejected", "image": reference.to_string(), "reason": short(e)}),
                );
                Ok(None)
            }
            Err(e) => Err(short(e)),
        }
    }
}
