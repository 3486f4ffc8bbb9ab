//! Errors of key handling, signing and storage, and of verification.

/// Anything that stops keygen, sign or attest (and the I/O of verify).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("key: {0}")]
    Key(String),
    #[error("{what}: {reason}")]
    Format { what: String, reason: String },
    #[error(transparent)]
    Registry(#[from] palisade_image::ImageError),
    #[error("{0}")]
    Other(String),
}

impl Error {
    pub fn format(what: impl Into<String>, reason: impl Into<String>) -> Error {
        Error::Format {
            what: what.into(),
            reason: reason.into(),
        }
    }
}

/// Why verification did not succeed. `NotSigned` and `Invalid` are the two
/// answers an admission policy cares about; `Registry` means the question
/// could not be asked (network, auth, a malformed image).
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    /// No signature (or attestation of the asked type) exists for the digest.
    #[error("{subject}: not signed: no {what} found ({looked})")]
    NotSigned {
        subject: String,
        what: String,
        /// Where we looked, e.g. `tag sha256-….sig, referrers`.
        looked: String,
    },
    /// Signatures exist, none verified; one reason per signature.
    #[error("{subject}: no valid {what}: {}", reasons.join("; "))]
    Invalid {
        subject: String,
        what: String,
        reasons: Vec<String>,
    },
    #[error(transparent)]
    Registry(#[from] palisade_image::ImageError),
    #[error("{0}")]
    Other(String),
}
