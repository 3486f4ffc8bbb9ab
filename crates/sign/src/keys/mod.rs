//! Keys: ECDSA P-256 signing keys in cosign's encrypted format, and public
//! keys (PKIX `PUBLIC KEY` PEM, P-256 or P-384) for verification.

pub mod encrypted;

use crate::error::Error;
use p256::ecdsa::signature::hazmat::PrehashVerifier as _;
use p256::ecdsa::signature::{Signer as _, Verifier as _};
use p256::pkcs8::{
    DecodePrivateKey as _, DecodePublicKey as _, EncodePrivateKey as _, EncodePublicKey as _,
    LineEnding,
};
use sha2::{Digest as _, Sha256};

/// Largest key file read.
pub const MAX_KEY_FILE: usize = 64 << 10;

/// A verification key. Cosign's spec requires ECDSA P-256; P-384 keys
/// (SHA-384) are accepted as cosign accepts them.
#[derive(Clone, PartialEq, Eq)]
pub enum PublicKey {
    P256(p256::ecdsa::VerifyingKey),
    P384(p384::ecdsa::VerifyingKey),
}

impl std::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PublicKey({} {})", self.algorithm(), self.fingerprint())
    }
}

impl PublicKey {
    /// Reads a PKIX `-----BEGIN PUBLIC KEY-----` PEM.
    pub fn from_pem(pem: &[u8]) -> Result<PublicKey, Error> {
        if pem.len() > MAX_KEY_FILE {
            return Err(Error::Key("public key file larger than 64 KiB".into()));
        }
        let text = std::str::from_utf8(pem)
            .map_err(|_| Error::Key("public key file is not text (PEM expected)".into()))?;
        if !text.contains("-----BEGIN PUBLIC KEY-----") {
            return Err(Error::Key(
                "not a PKIX public key PEM (expected -----BEGIN PUBLIC KEY-----)".into(),
            ));
        }
        if let Ok(k) = p256::ecdsa::VerifyingKey::from_public_key_pem(text.trim()) {
            return Ok(PublicKey::P256(k));
        }
        if let Ok(k) = p384::ecdsa::VerifyingKey::from_public_key_pem(text.trim()) {
            return Ok(PublicKey::P384(k));
        }
        Err(Error::Key(
            "unsupported public key: only ECDSA P-256 and P-384 keys are supported (RSA, P-521 and Ed25519 are not)".into(),
        ))
    }

    /// The PKIX `PUBLIC KEY` PEM.
    pub fn to_pem(&self) -> String {
        let pem = match self {
            PublicKey::P256(k) => k.to_public_key_pem(LineEnding::LF),
            PublicKey::P384(k) => k.to_public_key_pem(LineEnding::LF),
        };
        pem.unwrap_or_default()
    }

    fn spki_der(&self) -> Vec<u8> {
        let der = match self {
            PublicKey::P256(k) => k.to_public_key_der(),
            PublicKey::P384(k) => k.to_public_key_der(),
        };
        der.map(|d| d.as_bytes().to_vec()).unwrap_or_default()
    }

    /// `sha256:<hex>` of the SubjectPublicKeyInfo DER: names the key in output.
    pub fn fingerprint(&self) -> String {
        format!("sha256:{}", hex::encode(Sha256::digest(self.spki_der())))
    }

    pub fn algorithm(&self) -> &'static str {
        match self {
            PublicKey::P256(_) => "ecdsa-p256-sha256",
            PublicKey::P384(_) => "ecdsa-p384-sha384",
        }
    }

    /// Checks an ASN.1 DER ECDSA signature over `message` (hashed with the
    /// curve's hash).
    pub fn verify(&self, message: &[u8], signature_der: &[u8]) -> Result<(), String> {
        match self {
            PublicKey::P256(k) => {
                let sig = p256::ecdsa::Signature::from_der(signature_der)
                    .map_err(|_| "the signature is not a DER ECDSA P-256 signature".to_string())?;
                k.verify(message, &sig)
                    .map_err(|_| "the signature does not match the payload and key".to_string())
            }
            PublicKey::P384(k) => {
                let sig = p384::ecdsa::Signature::from_der(signature_der)
                    .map_err(|_| "the signature is not a DER ECDSA P-384 signature".to_string())?;
                k.verify(message, &sig)
                    .map_err(|_| "the signature does not match the payload and key".to_string())
            }
        }
    }

    /// Checks a DER signature over a message of which only the digest is
    /// known (Sigstore bundles' `messageSignature`).
    pub fn verify_prehash(&self, digest: &[u8], signature_der: &[u8]) -> Result<(), String> {
        let bad = || "the signature does not match the message digest and key".to_string();
        match self {
            PublicKey::P256(k) => {
                let sig = p256::ecdsa::Signature::from_der(signature_der)
                    .map_err(|_| "the signature is not a DER ECDSA P-256 signature".to_string())?;
                k.verify_prehash(digest, &sig).map_err(|_| bad())
            }
            PublicKey::P384(k) => {
                let sig = p384::ecdsa::Signature::from_der(signature_der)
                    .map_err(|_| "the signature is not a DER ECDSA P-384 signature".to_string())?;
                k.verify_prehash(digest, &sig).map_err(|_| bad())
            }
        }
    }
}

/// An ECDSA P-256 private key. Never printed: `Debug` shows only the
/// public key's fingerprint; the secret is zeroized on drop by p256.
#[derive(Clone)]
pub struct SigningKey(p256::ecdsa::SigningKey);

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "SigningKey(<redacted>, public {})",
            self.public_key().fingerprint()
        )
    }
}

impl SigningKey {
    /// A fresh key from the operating system's random source.
    pub fn generate() -> SigningKey {
        SigningKey(p256::ecdsa::SigningKey::random(&mut rand_core::OsRng))
    }

    /// Reads a cosign private key: `ENCRYPTED SIGSTORE PRIVATE KEY` or the
    /// legacy `ENCRYPTED COSIGN PRIVATE KEY` (decrypted with `password`),
    /// or an unencrypted PKCS#8 `PRIVATE KEY` / SEC1 `EC PRIVATE KEY`.
    pub fn from_pem(pem: &[u8], password: &[u8]) -> Result<SigningKey, Error> {
        if pem.len() > MAX_KEY_FILE {
            return Err(Error::Key("private key file larger than 64 KiB".into()));
        }
        let text = std::str::from_utf8(pem)
            .map_err(|_| Error::Key("private key file is not text (PEM expected)".into()))?;
        let (label, body) = encrypted::pem_block(text)?;
        let der = match label.as_str() {
            encrypted::SIGSTORE_LABEL | encrypted::COSIGN_LABEL => {
                encrypted::decrypt(&body, password)?
            }
            "PRIVATE KEY" => zeroize::Zeroizing::new(body),
            "EC PRIVATE KEY" => {
                let key = p256::SecretKey::from_sec1_der(&body)
                    .map_err(|_| Error::Key("EC PRIVATE KEY is not a P-256 key".into()))?;
                return Ok(SigningKey(key.into()));
            }
            other => {
                return Err(Error::Key(format!(
                    "unsupported private key PEM type {other:?} (expected ENCRYPTED SIGSTORE PRIVATE KEY)"
                )));
            }
        };
        p256::ecdsa::SigningKey::from_pkcs8_der(&der)
            .map(SigningKey)
            .map_err(|_| {
                Error::Key(
                    "the private key is not an ECDSA P-256 key (only P-256 keys can sign)".into(),
                )
            })
    }

    /// The key as cosign writes it: `ENCRYPTED SIGSTORE PRIVATE KEY`
    /// (PKCS#8 DER sealed with scrypt N=32768 and nacl/secretbox).
    pub fn to_encrypted_pem(&self, password: &[u8]) -> Result<String, Error> {
        let der = self
            .0
            .to_pkcs8_der()
            .map_err(|e| Error::Key(format!("cannot encode the key: {e}")))?;
        encrypted::encrypt(der.as_bytes(), password)
    }

    pub fn public_key(&self) -> PublicKey {
        PublicKey::P256(*self.0.verifying_key())
    }

    /// ECDSA-P256-SHA256 over `message`, ASN.1 DER (what cosign stores).
    pub fn sign(&self, message: &[u8]) -> Vec<u8> {
        let sig: p256::ecdsa::Signature = self.0.sign(message);
        sig.to_der().as_bytes().to_vec()
    }
}
