//! IAM wildcards: `*` matches any run of characters (including none, `/`
//! and `:`), `?` matches exactly one character. Nothing else is special.
//! https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html#reference_policies_elements_resource_wildcards

/// Case-sensitive glob match.
pub fn matches(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    glob(&p, &t)
}

/// Case-insensitive glob match (actions, `StringEqualsIgnoreCase`-style).
pub fn matches_ignore_case(pattern: &str, text: &str) -> bool {
    matches(&pattern.to_lowercase(), &text.to_lowercase())
}

/// Iterative matcher with one backtrack point: linear in practice and
/// O(len(p)·len(t)) at worst, so hostile patterns cannot blow up.
fn glob(p: &[char], t: &[char]) -> bool {
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stars_and_questions() {
        assert!(matches("team-a/*", "team-a/app"));
        assert!(matches("team-a/*", "team-a/"));
        assert!(!matches("team-a/*", "team-ab/app"));
        assert!(matches("a?c", "abc"));
        assert!(!matches("a?c", "ac"));
        assert!(matches("*", ""));
        assert!(matches("*a*b*", "xxaxxbxx"));
        assert!(!matches("Team-A/*", "team-a/x"));
        assert!(matches_ignore_case("ECR:Get*", "ecr:GetAuthorizationToken"));
        let long = "a".repeat(5000);
        assert!(!matches(
            &"*a".repeat(50).to_string().replace("a", "a*b"),
            &long
        ));
    }
}
