//! PAL-DF-058: dnf install without version pins.

use palisade_model::Severity;

use super::{Context, Hit, RuleDoc};

pub struct Rule;

static DOC: RuleDoc = RuleDoc {
    id: "PAL-DF-058",
    title: "dnf install without version pins",
    severity: Severity::Low,
    rationale: r#"Unpinned RPM packages make builds unreproducible."#,
    fix: r#"Pin versions: `dnf install -y httpd-2.4.62`; for modules give the stream (`dnf module install -y nodejs:20`)."#,
    bad: r#"FROM fedora:41
RUN dnf install -y httpd && dnf clean all
"#,
    good: r#"FROM fedora:41
RUN dnf install -y httpd-2.4.62 && dnf clean all
"#,
    peer_ids: &["DL3041"],
};

impl super::Rule for Rule {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        super::report_unpinned(cx, out, &DOC, "dnf", "dnf install", super::rpm_pinned);
    }
}
