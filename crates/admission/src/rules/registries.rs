//! `registries`: the image must come from an allowed registry or repository.

use crate::policy::Rules;

/// `image` is normalised (`docker.io/library/debian:12`).
pub fn check(rules: &Rules, image: &str) -> Option<String> {
    if rules.allowed.iter().any(|p| p.matches(image)) {
        return None;
    }
    Some(if rules.allowed.is_empty() {
        "no registry is allowed (registries.allowed is empty)".to_string()
    } else {
        "registry/repository is not in the allowed list".to_string()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::ImagePattern;

    #[test]
    fn allows_only_listed_registries() {
        let rules = Rules {
            allowed: vec![ImagePattern::parse("registry.example.com/team-a/").unwrap()],
            ..Rules::default()
        };
        assert!(check(&rules, "registry.example.com/team-a/app:1").is_none());
        assert!(check(&rules, "docker.io/library/debian:12").is_some());
        assert!(
            check(&Rules::default(), "x.io/a:1")
                .unwrap()
                .contains("empty")
        );
    }
}
