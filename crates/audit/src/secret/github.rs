//! GitHub tokens: classic (`ghp_`), OAuth (`gho_`), App (`ghu_`, `ghs_`),
//! refresh (`ghr_`) and fine-grained (`github_pat_`).

use super::rules::{
    GITHUB_APP_TOKEN, GITHUB_FINE_GRAINED_PAT, GITHUB_OAUTH, GITHUB_PAT, GITHUB_REFRESH_TOKEN, Rule,
};
use super::{Found, text};

/// A token starting at `hit`, where one of the prefixes was found.
pub(crate) fn at(content: &[u8], hit: usize, out: &mut Vec<Found>) {
    let (rule, prefix, len, underscore): (&'static Rule, usize, usize, bool) =
        match content.get(hit..hit + 4) {
            Some(b"ghp_") => (&GITHUB_PAT, 4, 36, false),
            Some(b"gho_") => (&GITHUB_OAUTH, 4, 36, false),
            Some(b"ghu_") | Some(b"ghs_") => (&GITHUB_APP_TOKEN, 4, 36, false),
            Some(b"ghr_") => (&GITHUB_REFRESH_TOKEN, 4, 36, false),
            _ => (&GITHUB_FINE_GRAINED_PAT, 11, 82, true),
        };
    let body = text::run(content, hit + prefix, len + 1, |b| {
        b.is_ascii_alphanumeric() || (underscore && b == b'_')
    });
    let end = hit + prefix + len;
    if body != len || !text::bounded(content, hit, end, b"") {
        return;
    }
    let random = &content[hit + prefix..end];
    if text::entropy(random) < 3.0 {
        return;
    }
    out.push(Found {
        rule,
        start: hit,
        end,
        line_at: hit,
        redacted: text::mask(&String::from_utf8_lossy(&content[hit..hit + prefix]), len),
    });
}
