//! PAL-DF-038: dnf cache left in the image.

use palisade_model::Severity;

use super::{Context, Hit, RuleDoc};

pub struct Rule;

static DOC: RuleDoc = RuleDoc {
    id: "PAL-DF-038",
    title: "dnf cache left in the image",
    severity: Severity::Low,
    rationale: r#"dnf and microdnf keep metadata and packages in /var/cache unless cleaned in the same RUN."#,
    fix: r#"End the RUN with `dnf clean all` (or `microdnf clean all`)."#,
    bad: r#"FROM fedora:41
RUN dnf install -y httpd
"#,
    good: r#"FROM fedora:41
RUN dnf install -y httpd && dnf clean all
"#,
    peer_ids: &["DL3040", "AVD-DS-0019", "AVD-DS-0027"],
};

impl super::Rule for Rule {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        super::report_cache_left(
            cx,
            out,
            &DOC,
            "dnf",
            &["dnf", "microdnf"],
            &["/var/cache/dnf", "/var/cache/yum"],
        );
    }
}
