//! Image sources: where manifests, configs and layer blobs are read from.

pub mod dir;
pub mod docker_archive;
pub mod oci_layout;
pub mod registry;

use crate::error::{ImageError, Result};
use std::io::Read;

/// Reads at most `limit` bytes; more is an error rather than a silent cut.
pub(crate) fn read_bounded(
    input: &str,
    what: &str,
    reader: impl Read,
    limit: u64,
) -> Result<Vec<u8>> {
    let mut buf = Vec::new();
    reader
        .take(limit + 1)
        .read_to_end(&mut buf)
        .map_err(|e| ImageError::io(format!("{input}: {what}"), e))?;
    if buf.len() as u64 > limit {
        return Err(ImageError::format(
            input,
            format!("{what} is larger than the {limit}-byte limit"),
        ));
    }
    Ok(buf)
}
