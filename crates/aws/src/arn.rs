//! ARN patterns as IAM matches them: segment by segment, wildcards inside
//! segments, and a last pattern segment ending in `*` may run across the
//! remaining colons. Case-sensitive.
//! https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html

use crate::variables::{self, Piece};

/// Does the (substituted) ARN pattern match `arn`?
pub fn matches(pattern: &[Piece], arn: &str) -> bool {
    if pattern == [Piece::Pattern('*')] {
        return true;
    }
    let segs: Vec<&[Piece]> = split_pattern(pattern);
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    if segs.len() == 6 {
        return parts.len() == 6
            && segs
                .iter()
                .zip(&parts)
                .all(|(s, p)| variables::matches(s, p, false));
    }
    // Fewer segments: only a trailing `*` can stand for the rest.
    let Some(last) = segs.last() else {
        return false;
    };
    if last.last() != Some(&Piece::Pattern('*')) || parts.len() < segs.len() {
        return false;
    }
    let n = segs.len() - 1;
    if !segs[..n]
        .iter()
        .zip(&parts)
        .all(|(s, p)| variables::matches(s, p, false))
    {
        return false;
    }
    let rest = parts[n..].join(":");
    variables::matches(last, &rest, false)
}

/// Splits at unescaped `:` into at most six segments (the sixth keeps the rest).
fn split_pattern(pattern: &[Piece]) -> Vec<&[Piece]> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, p) in pattern.iter().enumerate() {
        if out.len() == 5 {
            break;
        }
        if *p == Piece::Pattern(':') {
            out.push(&pattern[start..i]);
            start = i + 1;
        }
    }
    out.push(&pattern[start..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(p: &str, a: &str) -> bool {
        matches(&p.chars().map(Piece::Pattern).collect::<Vec<_>>(), a)
    }

    #[test]
    fn segments() {
        let repo = "arn:aws:ecr:us-east-1:111122223333:repository/team-a/app";
        assert!(m("arn:aws:ecr:*:*:repository/team-a/*", repo));
        assert!(m("arn:aws:ecr:us-east-1:111122223333:*", repo));
        assert!(m("arn:aws:ecr:*", repo));
        assert!(!m("arn:aws:ecr:us-east-1", repo));
        assert!(!m("arn:aws:ecr:*:*:repository/team-b/*", repo));
        assert!(!m(
            "arn:aws:ecr:us-east-?:111122223333:repository/Team-a/*",
            repo
        ));
        assert!(m(
            "arn:aws:ecr:us-east-?:111122223333:repository/team-a/*",
            repo
        ));
        assert!(m("arn:aws:ecr:*:*:repository/*/app", repo));
    }
}
