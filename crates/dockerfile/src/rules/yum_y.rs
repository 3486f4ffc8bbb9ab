//! PAL-DF-035: yum install without -y.

use palisade_model::Severity;

use super::{Context, Hit, RuleDoc};

pub struct Rule;

static DOC: RuleDoc = RuleDoc {
    id: "PAL-DF-035",
    title: "yum install without -y",
    severity: Severity::Medium,
    rationale: r#"Without -y, yum asks for confirmation and the build fails."#,
    fix: r#"Add `-y`."#,
    bad: r#"FROM centos:7
RUN yum install httpd
"#,
    good: r#"FROM centos:7
RUN yum install -y httpd && yum clean all
"#,
    peer_ids: &["DL3030"],
};

impl super::Rule for Rule {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        super::report_without_yes(cx, out, &DOC, "yum");
    }
}
