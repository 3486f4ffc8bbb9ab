//! `mutable_refs`: a tag can be moved to other content after admission;
//! a digest cannot. With `require_digest` every image needs `@sha256:…`;
//! otherwise only `:latest` and untagged references (which mean
//! `:latest`) are refused.

use crate::policy::Rules;
use palisade_image::RegistryRef;

pub fn check(rules: &Rules, reference: &RegistryRef) -> Option<String> {
    if reference.digest.is_some() {
        return None;
    }
    if rules.require_digest {
        return Some("not pinned by digest (require_digest: use image@sha256:...)".into());
    }
    match reference.tag.as_deref() {
        None => Some("untagged reference (means :latest, a mutable tag)".into()),
        Some("latest") => Some(":latest is a mutable tag; pin a version or a digest".into()),
        Some(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latest_untagged_and_digests() {
        let r = |s| RegistryRef::parse(s).unwrap();
        let loose = Rules::default();
        assert!(check(&loose, &r("debian")).is_some());
        assert!(check(&loose, &r("debian:latest")).is_some());
        assert!(check(&loose, &r("debian:12")).is_none());
        let strict = Rules {
            require_digest: true,
            ..Rules::default()
        };
        assert!(check(&strict, &r("debian:12")).is_some());
        let pinned = format!("debian:latest@sha256:{}", "a".repeat(64));
        assert!(check(&strict, &r(&pinned)).is_none());
    }
}
