//! Apk versions: NOT IMPLEMENTED YET (every parse fails); being written on this branch.

use crate::{Scheme, VersionError, invalid};

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct ApkVersion;

impl ApkVersion {
    pub(crate) fn parse(_v: &str) -> Result<Self, VersionError> {
        Err(invalid(Scheme::Apk, "scheme not implemented yet"))
    }
}
