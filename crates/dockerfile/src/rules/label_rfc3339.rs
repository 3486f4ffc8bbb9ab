//! PAL-DF-066: Label is not an RFC 3339 time.

use palisade_model::Severity;

use super::labels::LabelFormat;
use super::{Context, Hit, RuleDoc};

pub struct Rule;

static DOC: RuleDoc = RuleDoc {
    id: "PAL-DF-066",
    title: "Label is not an RFC 3339 time",
    severity: Severity::Low,
    rationale: r#"Labels the label schema declares as times (created) are compared by tools; they must be RFC 3339 date-times with a time zone. Only with a `label_schema` in the configuration (examples use `org.opencontainers.image.{title: text, source: url, version: semver, revision: hash, created: rfc3339, licenses: spdx, authors: email}`)."#,
    fix: r#"Write a full date-time: `2026-12-06T07:30:00Z`."#,
    bad: r#"FROM alpine:3.20
LABEL org.opencontainers.image.created=2026-12-06
"#,
    good: r#"FROM alpine:3.20
LABEL org.opencontainers.image.created=2026-12-06T07:30:00Z
"#,
    peer_ids: &["DL3053"],
};

impl super::Rule for Rule {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        super::labels::report_format(
            cx,
            out,
            &DOC,
            LabelFormat::Rfc3339,
            valid,
            "an RFC 3339 date-time",
        );
    }
}
/// `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)` (RFC 3339 section 5.6).
fn valid(v: &str) -> bool {
    let b = v.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|s| s.iter().all(u8::is_ascii_digit));
    let num =
        |r: std::ops::Range<usize>| v.get(r).and_then(|s| s.parse::<u32>().ok()).unwrap_or(99);
    if b.len() < 20
        || !(digits(0..4)
            && digits(5..7)
            && digits(8..10)
            && digits(11..13)
            && digits(14..16)
            && digits(17..19))
        || b[4] != b'-'
        || b[7] != b'-'
        || !matches!(b[10], b'T' | b't' | b' ')
        || b[13] != b':'
        || b[16] != b':'
        || !(1..=12).contains(&num(5..7))
        || !(1..=31).contains(&num(8..10))
        || num(11..13) > 23
        || num(14..16) > 59
        || num(17..19) > 60
    {
        return false;
    }
    let mut rest = &v[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let n = frac.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return false;
        }
        rest = &frac[n..];
    }
    match rest.as_bytes() {
        [b'Z' | b'z'] => true,
        [b'+' | b'-', h1, h2, b':', m1, m2] => {
            [h1, h2, m1, m2].iter().all(|c| c.is_ascii_digit())
                && num(v.len() - 5..v.len() - 3) <= 23
                && num(v.len() - 2..v.len()) <= 59
        }
        _ => false,
    }
}
