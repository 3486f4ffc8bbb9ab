//! GitHub tokens: classic (`ghp_`), OAuth (`gho_`), App (`ghu_`, `ghs_`),
//! refresh (`ghr_`) and fine-grained (`github_pat_`).

use super::rules::{
    GITHUB_APP_TOKEN, GITHUB_FINE_GRAINED_PAT, GITHUB_OAUTH, GITHUB_PAT, GITHUB_REFRESH_TOKEN, Rule,
};
use super::{Found, Window, text};
use regex::bytes::Regex;
use std::sync::LazyLock;

static TOKEN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u)gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{82}").expect("valid regex")
});

pub(crate) fn scan(w: &Window<'_>, out: &mut Vec<Found>) {
    for m in TOKEN.find_iter(w.text) {
        let token = m.as_bytes();
        if !text::bounded(w.text, m.start(), m.end(), b"") {
            continue;
        }
        let (rule, prefix): (&'static Rule, usize) = match &token[..4] {
            b"ghp_" => (&GITHUB_PAT, 4),
            b"gho_" => (&GITHUB_OAUTH, 4),
            b"ghu_" | b"ghs_" => (&GITHUB_APP_TOKEN, 4),
            b"ghr_" => (&GITHUB_REFRESH_TOKEN, 4),
            _ => (&GITHUB_FINE_GRAINED_PAT, 11),
        };
        let random = &token[prefix..];
        if text::entropy(random) < 3.0 {
            continue;
        }
        out.push(Found {
            rule,
            start: w.base + m.start(),
            end: w.base + m.end(),
            line_at: w.base + m.start(),
            redacted: text::mask(&String::from_utf8_lossy(&token[..prefix]), random.len()),
        });
    }
}
