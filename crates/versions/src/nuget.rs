//! NuGet versions: NOT IMPLEMENTED YET (every parse fails); being written on this branch.

use crate::{Scheme, VersionError, invalid};

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct NuGetVersion;

impl NuGetVersion {
    pub(crate) fn parse(_v: &str) -> Result<Self, VersionError> {
        Err(invalid(Scheme::NuGet, "scheme not implemented yet"))
    }
}
