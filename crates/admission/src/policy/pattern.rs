//! Image patterns: the forms of the Dockerfile linter's `trusted_bases`
//! (a registry host `gcr.io`, `*.gcr.io`, or a repository prefix
//! `docker.io/library/`) plus globs (`registry.example.com/team-*/**`).

use glob::{MatchOptions, Pattern};

#[derive(Debug, Clone, PartialEq)]
pub enum ImagePattern {
    /// A registry host (`*.` for any subdomain).
    Host(String),
    /// A repository prefix, ending at a component boundary.
    Prefix(String),
    Glob(Pattern),
}

const GLOB_OPTS: MatchOptions = MatchOptions {
    case_sensitive: true,
    require_literal_separator: true,
    require_literal_leading_dot: false,
};

impl ImagePattern {
    pub fn parse(s: &str) -> Result<ImagePattern, String> {
        let s = s.trim();
        if s.is_empty() {
            return Err("empty image pattern".into());
        }
        if !s.contains('/') {
            return Ok(ImagePattern::Host(s.to_string()));
        }
        let body = s.trim_end_matches('*');
        if body.contains(['*', '?', '['])
            || s.ends_with("**")
            || (s.ends_with('*') && !body.ends_with('/'))
        {
            return Pattern::new(s)
                .map(ImagePattern::Glob)
                .map_err(|e| format!("image pattern {s:?}: {e}"));
        }
        Ok(ImagePattern::Prefix(body.to_string()))
    }

    /// `image` is normalised (`docker.io/library/debian:12`).
    pub fn matches(&self, image: &str) -> bool {
        let host = image.split('/').next().unwrap_or("");
        match self {
            ImagePattern::Host(p) => match p.strip_prefix("*.") {
                Some(suffix) => host.ends_with(&format!(".{suffix}")),
                None => host == p,
            },
            ImagePattern::Prefix(p) => {
                image.starts_with(p.as_str())
                    && (p.ends_with('/')
                        || image.len() == p.len()
                        || matches!(image.as_bytes()[p.len()], b':' | b'@' | b'/'))
            }
            ImagePattern::Glob(g) => {
                // Globs name repositories: match without the tag and digest.
                g.matches_with(repository_of(image), GLOB_OPTS) || g.matches_with(image, GLOB_OPTS)
            }
        }
    }
}

/// `docker.io/library/debian:12@sha256:…` → `docker.io/library/debian`.
fn repository_of(image: &str) -> &str {
    let no_digest = image.split('@').next().unwrap_or(image);
    let last_slash = no_digest.rfind('/').map_or(0, |i| i + 1);
    match no_digest[last_slash..].rfind(':') {
        Some(i) => &no_digest[..last_slash + i],
        None => no_digest,
    }
}

/// `debian` → `docker.io/library/debian`, `user/x` → `docker.io/user/x`,
/// as the Dockerfile linter and the container runtime read them.
pub fn normalize_image(image: &str) -> String {
    let first = image.split('/').next().unwrap_or("");
    if !image.contains('/') {
        format!("docker.io/library/{image}")
    } else if first.contains('.') || first.contains(':') || first == "localhost" {
        image.to_string()
    } else {
        format!("docker.io/{image}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(p: &str, image: &str) -> bool {
        ImagePattern::parse(p)
            .unwrap()
            .matches(&normalize_image(image))
    }

    #[test]
    fn hosts_prefixes_and_globs() {
        assert!(m("gcr.io", "gcr.io/distroless/static:nonroot"));
        assert!(!m("gcr.io", "gcr.io.evil.com/x"));
        assert!(m(
            "*.ecr.amazonaws.com",
            "1234.dkr.ecr.us-west-2.ecr.amazonaws.com/app:1"
        ));
        assert!(m("docker.io/library/", "debian:12"));
        assert!(m("docker.io/library/debian", "debian@sha256:abc"));
        assert!(!m(
            "docker.io/library/debian",
            "docker.io/library/debian-evil:1"
        ));
        assert!(m(
            "registry.example.com/team-*/*",
            "registry.example.com/team-a/app:1"
        ));
        assert!(!m(
            "registry.example.com/team-*/*",
            "registry.example.com/team-a/x/app:1"
        ));
        assert!(m(
            "registry.example.com/**",
            "registry.example.com/team-a/x/app:1"
        ));
        assert!(m("127.0.0.1:5000/*", "127.0.0.1:5000/app:1"));
    }
}
