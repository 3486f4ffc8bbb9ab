//! Slack tokens (`xoxb-`, `xoxp-`, `xoxa-`, `xoxr-`, `xoxs-`) and
//! incoming-webhook URLs.

use super::rules::{SLACK_TOKEN, SLACK_WEBHOOK_URL};
use super::{Found, text};

/// `xox?-` + a numeric id + `-` + the rest, at `hit`.
pub(crate) fn token_at(content: &[u8], hit: usize, out: &mut Vec<Found>) {
    let digits = text::run(content, hit + 5, 17, |b| b.is_ascii_digit());
    if !(6..=16).contains(&digits) || content.get(hit + 5 + digits) != Some(&b'-') {
        return;
    }
    let rest_at = hit + 5 + digits + 1;
    let rest = text::run(content, rest_at, 129, |b| {
        b.is_ascii_alphanumeric() || b == b'-'
    });
    let end = rest_at + rest;
    if !(8..=128).contains(&rest) || end - hit < 24 || !text::bounded(content, hit, end, b"-") {
        return;
    }
    let random = &content[hit + 5..end];
    if text::entropy(random) < 3.0 || text::is_placeholder(random) {
        return;
    }
    out.push(Found {
        rule: &SLACK_TOKEN,
        start: hit,
        end,
        line_at: hit,
        redacted: text::mask(
            &String::from_utf8_lossy(&content[hit..hit + 5]),
            end - hit - 5,
        ),
    });
}

/// `https://hooks.slack.com/services/T.../B.../secret` (or `/workflows/`),
/// `hit` being the offset of `hooks.slack.com`.
pub(crate) fn webhook_at(content: &[u8], hit: usize, out: &mut Vec<Found>) {
    let start = if hit >= 8 && &content[hit - 8..hit] == b"https://" {
        hit - 8
    } else if hit >= 7 && &content[hit - 7..hit] == b"http://" {
        hit - 7
    } else {
        return;
    };
    let upper_id = |at: usize, first: u8| -> Option<usize> {
        if content.get(at) != Some(&first) {
            return None;
        }
        let n = text::run(content, at + 1, 13, |b| {
            b.is_ascii_uppercase() || b.is_ascii_digit()
        });
        ((6..=12).contains(&n) && content.get(at + 1 + n) == Some(&b'/')).then_some(at + 1 + n + 1)
    };
    let mut p = hit + b"hooks.slack.com".len();
    let kind = if content[p..].starts_with(b"/services/") {
        p += b"/services/".len();
        let Some(q) = upper_id(p, b'T').and_then(|q| upper_id(q, b'B')) else {
            return;
        };
        p = q;
        "services"
    } else if content[p..].starts_with(b"/workflows/") {
        p += b"/workflows/".len();
        let Some(q) = upper_id(p, b'T').and_then(|q| upper_id(q, b'A')) else {
            return;
        };
        let n = text::run(content, q, 25, |b| b.is_ascii_digit());
        if !(6..=24).contains(&n) || content.get(q + n) != Some(&b'/') {
            return;
        }
        p = q + n + 1;
        "workflows"
    } else {
        return;
    };
    let n = text::run(content, p, 41, |b| b.is_ascii_alphanumeric());
    let secret = &content[p..p + n];
    if !(20..=40).contains(&n)
        || !text::bounded(content, p, p + n, b"")
        || text::entropy(secret) < 3.0
        || text::is_placeholder(secret)
    {
        return;
    }
    out.push(Found {
        rule: &SLACK_WEBHOOK_URL,
        start,
        end: p + n,
        line_at: start,
        redacted: format!("https://hooks.slack.com/{kind}/<redacted>"),
    });
}
