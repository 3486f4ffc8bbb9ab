//! PAL-DF-057: dnf install without -y.

use palisade_model::Severity;

use super::{Context, Hit, RuleDoc};

pub struct Rule;

static DOC: RuleDoc = RuleDoc {
    id: "PAL-DF-057",
    title: "dnf install without -y",
    severity: Severity::Medium,
    rationale: r#"Without -y, dnf and microdnf ask for confirmation and the build fails."#,
    fix: r#"Add `-y` (`--assumeyes`)."#,
    bad: r#"FROM fedora:41
RUN dnf install httpd-2.4.62 && dnf clean all
"#,
    good: r#"FROM fedora:41
RUN dnf install -y httpd-2.4.62 && dnf clean all
"#,
    peer_ids: &["DL3038"],
};

impl super::Rule for Rule {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        super::report_without_yes(cx, out, &DOC, "dnf");
    }
}
