//! Errors of image access. Every variant names the input it is about and
//! the cause, in one line, because that line is what the user sees.

use std::path::PathBuf;

pub type Result<T, E = ImageError> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    #[error("invalid image reference {input:?}: {reason}")]
    Reference { input: String, reason: String },

    #[error("{path}: {reason}")]
    Path { path: PathBuf, reason: String },

    #[error("{input}: {reason}")]
    Format { input: String, reason: String },

    #[error("{input}: digest mismatch: expected {expected}, got {actual}")]
    DigestMismatch {
        input: String,
        expected: String,
        actual: String,
    },

    #[error("{input}: unsupported media type {media_type:?}{hint}")]
    MediaType {
        input: String,
        media_type: String,
        hint: String,
    },

    #[error("{input}: no image for platform {platform} (available: {available})")]
    Platform {
        input: String,
        platform: String,
        available: String,
    },

    #[error("{input}: {reason}")]
    Registry { input: String, reason: String },

    #[error("{input}: layer {layer}: {reason}")]
    Layer {
        input: String,
        layer: String,
        reason: String,
    },

    #[error("{input}: {source}")]
    Io {
        input: String,
        #[source]
        source: std::io::Error,
    },
}

impl ImageError {
    pub fn format(input: impl Into<String>, reason: impl Into<String>) -> Self {
        ImageError::Format {
            input: input.into(),
            reason: reason.into(),
        }
    }

    pub fn registry(input: impl Into<String>, reason: impl Into<String>) -> Self {
        ImageError::Registry {
            input: input.into(),
            reason: reason.into(),
        }
    }

    pub fn io(input: impl Into<String>, source: std::io::Error) -> Self {
        ImageError::Io {
            input: input.into(),
            source,
        }
    }
}
