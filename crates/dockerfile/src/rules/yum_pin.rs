//! PAL-DF-053: yum install without version pins.

use palisade_model::Severity;

use super::{Context, Hit, RuleDoc};

pub struct Rule;

static DOC: RuleDoc = RuleDoc {
    id: "PAL-DF-053",
    title: "yum install without version pins",
    severity: Severity::Low,
    rationale: r#"Unpinned RPM packages make builds unreproducible."#,
    fix: r#"Pin versions: `yum install -y httpd-2.4.6`; for modules give the stream (`yum module install -y nodejs:20`)."#,
    bad: r#"FROM centos:7
RUN yum install -y httpd && yum clean all
"#,
    good: r#"FROM centos:7
RUN yum install -y httpd-2.4.6 && yum clean all
"#,
    peer_ids: &["DL3033"],
};

impl super::Rule for Rule {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        super::report_unpinned(cx, out, &DOC, "yum", "yum install", super::rpm_pinned);
    }
}
