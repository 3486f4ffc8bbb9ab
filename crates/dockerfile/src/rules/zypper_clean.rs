//! PAL-DF-055: zypper cache left in the image.

use palisade_model::Severity;

use super::{Context, Hit, RuleDoc};

pub struct Rule;

static DOC: RuleDoc = RuleDoc {
    id: "PAL-DF-055",
    title: "zypper cache left in the image",
    severity: Severity::Low,
    rationale: r#"zypper keeps repository metadata and downloaded packages in /var/cache/zypp unless cleaned in the same RUN."#,
    fix: r#"End the RUN with `zypper clean` (or `zypper cc`)."#,
    bad: r#"FROM opensuse/leap:15.6
RUN zypper install -y httpd=2.4.58
"#,
    good: r#"FROM opensuse/leap:15.6
RUN zypper install -y httpd=2.4.58 && zypper clean
"#,
    peer_ids: &["DL3036", "AVD-DS-0020"],
};

impl super::Rule for Rule {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        super::report_cache_left(cx, out, &DOC, "zypper", &["zypper"], &["/var/cache/zypp"]);
    }
}
