//! PAL-DF-036: yum cache left in the image.

use palisade_model::Severity;

use super::{Context, Hit, RuleDoc};

pub struct Rule;

static DOC: RuleDoc = RuleDoc {
    id: "PAL-DF-036",
    title: "yum cache left in the image",
    severity: Severity::Low,
    rationale: r#"yum keeps downloaded metadata and packages in /var/cache/yum unless cleaned in the same RUN."#,
    fix: r#"End the RUN with `yum clean all` (and `rm -rf /var/cache/yum`)."#,
    bad: r#"FROM centos:7
RUN yum install -y httpd
"#,
    good: r#"FROM centos:7
RUN yum install -y httpd && yum clean all
"#,
    peer_ids: &["DL3032", "AVD-DS-0015"],
};

impl super::Rule for Rule {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        super::report_cache_left(cx, out, &DOC, "yum", &["yum"], &["/var/cache/yum"]);
    }
}
