//! cosign-compatible image signatures and attestations.
//!
//! - Keys: [`SigningKey`] (ECDSA P-256) reads and writes cosign's
//!   `ENCRYPTED SIGSTORE PRIVATE KEY` (and reads the legacy
//!   `ENCRYPTED COSIGN PRIVATE KEY`); [`PublicKey`] reads PKIX `PUBLIC KEY`
//!   PEMs (P-256, P-384).
//! - Signing: [`sign_digest`] stores the simple-signing payload at
//!   `sha256-<hex>.sig` as cosign does; [`attest_digest`] stores an in-toto
//!   statement in a DSSE envelope at `sha256-<hex>.att`. Concurrent signers
//!   do not lose each other's signatures (see [`store`]).
//! - Verification: [`verify_image`] and [`verify_attestation`] look in the
//!   `.sig`/`.att` tags and in OCI 1.1 referrers (Sigstore bundles with a
//!   public key); keyless (Fulcio/Rekor) verification is out of scope and
//!   reported as such.
//!
//! Everything is blocking (async callers use `spawn_blocking`).
//!
//! ```no_run
//! use palisade_sign::{PublicKey, VerifyOptions, VerifyError, verify_image};
//! use palisade_image::{RegistryOptions, RegistryRef};
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let key = PublicKey::from_pem(&std::fs::read("cosign.pub")?)?;
//! let image = RegistryRef::parse("registry.example.com/team/app:v1")?;
//! let registry = RegistryOptions::default();
//! let client = palisade_sign::connect(&image, &registry, false)?;
//! let digest = palisade_sign::resolve(&client, &image)?;
//! let options = VerifyOptions {
//!     keys: vec![key],
//!     annotations: Default::default(),
//!     reference: Some(palisade_sign::repository_name(&image)),
//! };
//! match verify_image(&image, &digest, &registry, &options) {
//!     Ok(v) => println!("verified by {}", v.verified[0].key_fingerprint),
//!     Err(VerifyError::NotSigned { .. }) => println!("not signed"),
//!     Err(VerifyError::Invalid { reasons, .. }) => println!("invalid: {reasons:?}"),
//!     Err(e) => return Err(e.into()),
//! }
//! # Ok(()) }
//! ```

pub mod bundle;
pub mod dsse;
pub mod error;
pub mod keys;
pub mod manifest;
pub mod payload;
pub mod sign;
pub mod statement;
pub mod store;
pub mod verify;

pub use error::{Error, VerifyError};
pub use keys::{PublicKey, SigningKey};
pub use sign::{Signed, attest_digest, connect, repository_name, resolve, sign_digest};
pub use statement::predicate_type_for;
pub use verify::{
    Source, VerifiedAttestation, VerifiedSignature, VerifiedSignatures, VerifyOptions,
    verify_attestation, verify_attestation_with, verify_image, verify_image_with,
};
