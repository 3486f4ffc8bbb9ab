//! GitLab personal access tokens (`glpat-` + 20 or more characters).

use super::rules::GITLAB_PAT;
use super::{Found, Window, text};
use regex::bytes::Regex;
use std::sync::LazyLock;

static TOKEN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?-u)glpat-[A-Za-z0-9_\-]{20,64}").expect("valid regex"));

pub(crate) fn scan(w: &Window<'_>, out: &mut Vec<Found>) {
    for m in TOKEN.find_iter(w.text) {
        if !text::bounded(w.text, m.start(), m.end(), b"-") {
            continue;
        }
        let random = &m.as_bytes()[6..];
        if text::entropy(random) < 3.0 || text::is_placeholder(random) {
            continue;
        }
        out.push(Found {
            rule: &GITLAB_PAT,
            start: w.base + m.start(),
            end: w.base + m.end(),
            line_at: w.base + m.start(),
            redacted: text::mask("glpat-", random.len()),
        });
    }
}
