//! PEP 440 versions (PyPI), parsed and ordered by `pep440_rs`, whose order
//! is Python `packaging`'s (epoch, release, pre, post, dev, local).
//! Deviation: `pep440_rs` keeps numbers in 64 bits, so a number too large
//! for that is an error here while `packaging` accepts it.

use crate::{Scheme, VersionError, invalid};
use std::str::FromStr;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Pep440Version(pep440_rs::Version);

impl Pep440Version {
    pub(crate) fn parse(v: &str) -> Result<Self, VersionError> {
        pep440_rs::Version::from_str(v.trim())
            .map(Pep440Version)
            .map_err(|_| invalid(Scheme::Pep440, "not a PEP 440 version"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cmp::Ordering;

    fn cmp(a: &str, b: &str) -> Ordering {
        Pep440Version::parse(a)
            .unwrap()
            .cmp(&Pep440Version::parse(b).unwrap())
    }

    #[test]
    fn pep440_examples() {
        let chain = [
            "1.0.dev456",
            "1.0a1",
            "1.0a2.dev456",
            "1.0a12",
            "1.0b1.dev456",
            "1.0b2",
            "1.0rc1",
            "1.0",
            "1.0+abc.5",
            "1.0.post456.dev34",
            "1.0.post456",
            "1.1.dev1",
            "1!0.1",
        ];
        for pair in chain.windows(2) {
            assert_eq!(cmp(pair[0], pair[1]), Ordering::Less, "{pair:?}");
        }
        assert_eq!(cmp("1.0", "1.0.0"), Ordering::Equal);
        assert_eq!(cmp("v1.0", "1.0"), Ordering::Equal);
        assert!(Pep440Version::parse("1.0-foo-bar").is_err());
    }
}
