//! DSSE envelopes (in-toto attestations as cosign stores them) and the
//! pre-authentication encoding the signature covers:
//! `"DSSEv1" SP len(type) SP type SP len(body) SP body`.

use crate::error::Error;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};

pub const MEDIA_TYPE: &str = "application/vnd.dsse.envelope.v1+json";
pub const IN_TOTO_PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";
/// Largest envelope read (SBOM predicates can be large).
pub const MAX_ENVELOPE: u64 = 64 << 20;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Envelope {
    #[serde(rename = "payloadType")]
    pub payload_type: String,
    /// base64 of the statement bytes.
    pub payload: String,
    pub signatures: Vec<EnvelopeSignature>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EnvelopeSignature {
    #[serde(default)]
    pub keyid: String,
    /// base64 of the DER signature over the PAE.
    pub sig: String,
}

pub fn pae(payload_type: &str, body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "DSSEv1 {} {} {} ",
        payload_type.len(),
        payload_type,
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body);
    out
}

impl Envelope {
    pub fn parse(bytes: &[u8]) -> Result<Envelope, Error> {
        if bytes.len() as u64 > MAX_ENVELOPE {
            return Err(Error::format("DSSE envelope", "larger than 64 MiB"));
        }
        let env: Envelope = serde_json::from_slice(bytes)
            .map_err(|e| Error::format("DSSE envelope", format!("invalid: {e}")))?;
        if env.signatures.is_empty() {
            return Err(Error::format("DSSE envelope", "no signatures"));
        }
        Ok(env)
    }

    /// The decoded payload (the statement bytes).
    pub fn payload_bytes(&self) -> Result<Vec<u8>, Error> {
        STANDARD
            .decode(self.payload.as_bytes())
            .map_err(|_| Error::format("DSSE envelope", "payload is not base64"))
    }

    /// Signs `body` of `payload_type` with `key`.
    pub fn sign(payload_type: &str, body: &[u8], key: &crate::SigningKey) -> Envelope {
        let sig = key.sign(&pae(payload_type, body));
        Envelope {
            payload_type: payload_type.to_string(),
            payload: STANDARD.encode(body),
            signatures: vec![EnvelopeSignature {
                keyid: String::new(),
                sig: STANDARD.encode(sig),
            }],
        }
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }
}
