//! PAL-DF-056: zypper install without version pins.

use palisade_model::Severity;

use super::{Context, Hit, RuleDoc};

pub struct Rule;

static DOC: RuleDoc = RuleDoc {
    id: "PAL-DF-056",
    title: "zypper install without version pins",
    severity: Severity::Low,
    rationale: r#"Unpinned packages make builds unreproducible."#,
    fix: r#"Pin versions: `zypper install -y httpd=2.4.58` (or a range such as `httpd>=2.4`)."#,
    bad: r#"FROM opensuse/leap:15.6
RUN zypper install -y httpd && zypper clean
"#,
    good: r#"FROM opensuse/leap:15.6
RUN zypper install -y httpd=2.4.58 && zypper clean
"#,
    peer_ids: &["DL3037"],
};

impl super::Rule for Rule {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        super::report_unpinned(cx, out, &DOC, "zypper", "zypper install", pinned);
    }
}
/// A version or range (`=`, `<`, `>`), a local package file or a variable.
fn pinned(p: &str) -> bool {
    p.contains(['=', '<', '>', '$']) || p.ends_with(".rpm")
}
