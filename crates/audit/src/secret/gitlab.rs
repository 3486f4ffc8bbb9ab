//! GitLab personal access tokens (`glpat-` + 20 or more characters).

use super::rules::GITLAB_PAT;
use super::{Found, text};

pub(crate) fn at(content: &[u8], hit: usize, out: &mut Vec<Found>) {
    let len = text::run(content, hit + 6, 65, |b| {
        b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
    });
    let end = hit + 6 + len;
    if !(20..=64).contains(&len) || !text::bounded(content, hit, end, b"-") {
        return;
    }
    let random = &content[hit + 6..end];
    if text::entropy(random) < 3.0 || text::is_placeholder(random) {
        return;
    }
    out.push(Found {
        rule: &GITLAB_PAT,
        start: hit,
        end,
        line_at: hit,
        redacted: text::mask("glpat-", len),
    });
}
