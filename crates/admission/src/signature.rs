//! Signature checks behind a small trait, so the server does not depend
//! on how signatures are verified. Until palisade-sign is wired in, the
//! only implementation is [`Unavailable`], which makes every check an
//! error: with the default `on_error: deny` that fails closed.

use palisade_image::RegistryRef;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SigResult {
    /// Verified with this key (the file named in the policy).
    Verified {
        key: String,
    },
    NotSigned,
    /// Signatures exist but none verifies (tampered, wrong key, wrong digest).
    Invalid(String),
    /// The check could not be made (registry error, no verifier).
    Unavailable(String),
}

pub trait SignatureCheck: Send + Sync {
    /// Is the image at `reference` (pinned by digest) signed by one of `keys`?
    fn verify(&self, reference: &RegistryRef, keys: &[String]) -> SigResult;
    /// The predicate of a cosign vuln attestation
    /// (`https://cosign.sigstore.dev/attestation/vuln/v1`) signed by one of
    /// `keys`, if there is one.
    fn vuln_attestation(
        &self,
        reference: &RegistryRef,
        keys: &[String],
    ) -> Result<Option<serde_json::Value>, String>;
}

/// No verifier is built in: every signature check is "unavailable".
pub struct Unavailable;

impl SignatureCheck for Unavailable {
    fn verify(&self, _: &RegistryRef, _: &[String]) -> SigResult {
        SigResult::Unavailable("this build of palisade has no signature verifier".into())
    }

    fn vuln_attestation(
        &self,
        _: &RegistryRef,
        _: &[String],
    ) -> Result<Option<serde_json::Value>, String> {
        Err("this build of palisade has no signature verifier".into())
    }
}
