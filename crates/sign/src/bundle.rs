//! Sigstore bundles (`application/vnd.dev.sigstore.bundle.v0.3+json`, and
//! the v0.1/v0.2 media types), as cosign v3 attaches them through OCI 1.1
//! referrers. Only key-based bundles can be verified here: a bundle whose
//! verification material is a Fulcio certificate needs keyless
//! verification (Fulcio roots, Rekor inclusion), which palisade does not do.

use crate::dsse::Envelope;
use crate::error::Error;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::Deserialize;

pub const MEDIA_TYPE_V03: &str = "application/vnd.dev.sigstore.bundle.v0.3+json";
/// Largest bundle read.
pub const MAX_BUNDLE: u64 = 64 << 20;

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Bundle {
    pub media_type: String,
    pub verification_material: VerificationMaterial,
    #[serde(default)]
    pub message_signature: Option<MessageSignature>,
    #[serde(default)]
    pub dsse_envelope: Option<Envelope>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VerificationMaterial {
    #[serde(default)]
    pub public_key: Option<PublicKeyHint>,
    #[serde(default)]
    pub certificate: Option<serde_json::Value>,
    #[serde(default)]
    pub x509_certificate_chain: Option<serde_json::Value>,
    #[serde(default)]
    pub tlog_entries: Vec<serde_json::Value>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct PublicKeyHint {
    #[serde(default)]
    pub hint: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MessageSignature {
    #[serde(default)]
    pub message_digest: Option<MessageDigest>,
    /// base64 DER signature.
    pub signature: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct MessageDigest {
    pub algorithm: String,
    /// base64 of the digest bytes.
    pub digest: String,
}

/// What a bundle carries, once checked for shape.
pub enum Content<'a> {
    /// A signature over the message whose digest is given.
    Message {
        digest: Vec<u8>,
        signature: Vec<u8>,
    },
    Dsse(&'a Envelope),
}

impl Bundle {
    pub fn parse(bytes: &[u8]) -> Result<Bundle, Error> {
        if bytes.len() as u64 > MAX_BUNDLE {
            return Err(Error::format("Sigstore bundle", "larger than 64 MiB"));
        }
        let b: Bundle = serde_json::from_slice(bytes)
            .map_err(|e| Error::format("Sigstore bundle", format!("invalid: {e}")))?;
        if !b
            .media_type
            .starts_with("application/vnd.dev.sigstore.bundle")
        {
            return Err(Error::format(
                "Sigstore bundle",
                format!("unknown mediaType {:?}", b.media_type),
            ));
        }
        Ok(b)
    }

    /// True when only keyless verification (certificate + Rekor) applies.
    pub fn is_keyless(&self) -> bool {
        let m = &self.verification_material;
        m.public_key.is_none() && (m.certificate.is_some() || m.x509_certificate_chain.is_some())
    }

    pub fn content(&self) -> Result<Content<'_>, Error> {
        match (&self.message_signature, &self.dsse_envelope) {
            (Some(m), None) => {
                let d = m.message_digest.as_ref().ok_or_else(|| {
                    Error::format("Sigstore bundle", "messageSignature without messageDigest")
                })?;
                if d.algorithm != "SHA2_256" {
                    return Err(Error::format(
                        "Sigstore bundle",
                        format!("unsupported message digest algorithm {:?}", d.algorithm),
                    ));
                }
                let digest = STANDARD
                    .decode(&d.digest)
                    .map_err(|_| Error::format("Sigstore bundle", "messageDigest is not base64"))?;
                let signature = STANDARD
                    .decode(&m.signature)
                    .map_err(|_| Error::format("Sigstore bundle", "signature is not base64"))?;
                Ok(Content::Message { digest, signature })
            }
            (None, Some(e)) => Ok(Content::Dsse(e)),
            _ => Err(Error::format(
                "Sigstore bundle",
                "needs exactly one of messageSignature and dsseEnvelope",
            )),
        }
    }
}
