//! PAL-DF-081: WORKDIR in a system directory.

use palisade_model::Severity;

use super::{Context, Hit, RuleDoc};

pub struct Rule;

static DOC: RuleDoc = RuleDoc {
    id: "PAL-DF-081",
    title: "WORKDIR in a system directory",
    severity: Severity::High,
    rationale: r#"A WORKDIR under /proc, /boot, /dev, /initrd or /lost+found puts the application (and whatever it writes) into kernel or host-managed trees, a known container-breakout pattern."#,
    fix: r#"Use an application directory such as `/app` or `/srv/app`."#,
    bad: r#"FROM debian:12
WORKDIR /proc/app
"#,
    good: r#"FROM debian:12
WORKDIR /srv/app
"#,
    peer_ids: &["AVD-DS-0030"],
};

impl super::Rule for Rule {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        for (i, ins) in cx.instructions() {
            let Some(dir) = ins.text().filter(|_| ins.is("workdir")) else {
                continue;
            };
            let dir = super::unquote(dir.trim());
            let system = ["/proc", "/boot", "/dev", "/initrd", "/lost+found"]
                .iter()
                .any(|s| {
                    dir.strip_prefix(s)
                        .is_some_and(|r| r.is_empty() || r.starts_with('/'))
                });
            if system {
                out.push(cx.at(&DOC, i, format!("WORKDIR {dir} is a system directory")));
            }
        }
    }
}
