//! PAL-DF-070: Label is not an email address.

use palisade_model::Severity;

use super::labels::LabelFormat;
use super::{Context, Hit, RuleDoc};

pub struct Rule;

static DOC: RuleDoc = RuleDoc {
    id: "PAL-DF-070",
    title: "Label is not an email address",
    severity: Severity::Low,
    rationale: r#"Labels the label schema declares as email addresses (authors, maintainers) are how people report problems with the image. Only with a `label_schema` in the configuration (examples use `org.opencontainers.image.{title: text, source: url, version: semver, revision: hash, created: rfc3339, licenses: spdx, authors: email}`)."#,
    fix: r#"Write an address: `team@example.com` (optionally `Name <team@example.com>`)."#,
    bad: r#"FROM alpine:3.20
LABEL org.opencontainers.image.authors=payments-team
"#,
    good: r#"FROM alpine:3.20
LABEL org.opencontainers.image.authors=payments@example.com
"#,
    peer_ids: &["DL3058"],
};

impl super::Rule for Rule {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        super::labels::report_format(cx, out, &DOC, LabelFormat::Email, valid, "an email address");
    }
}
/// An RFC 5322 addr-spec with a dot-atom local part (`Name <addr>` allowed).
fn valid(v: &str) -> bool {
    let addr = match (v.rfind('<'), v.strip_suffix('>')) {
        (Some(i), Some(inner)) => &inner[i + 1..],
        _ => v,
    };
    let Some((local, domain)) = addr.rsplit_once('@') else {
        return false;
    };
    let atom = |s: &str| {
        !s.is_empty()
            && s.split('.').all(|part| {
                !part.is_empty()
                    && part
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~".contains(c))
            })
    };
    atom(local) && atom(domain) && !domain.contains(['/', '='])
}
