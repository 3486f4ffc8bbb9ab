//! PAL-DF-013: Command that makes no sense in a container.

use palisade_model::Severity;

use super::{Context, Hit, RuleDoc};

pub struct Rule;

static DOC: RuleDoc = RuleDoc {
    id: "PAL-DF-013",
    title: "Command that makes no sense in a container",
    severity: Severity::Info,
    rationale: r#"Interactive or system-management commands (ssh, vim, service, shutdown, ps, top, kill, mount, ifconfig, free) do nothing useful in a build and usually mean the image is treated like a VM."#,
    fix: r#"Remove them; configure services through the image's entrypoint."#,
    bad: r#"FROM debian:12
RUN service nginx start
"#,
    good: r#"FROM debian:12
CMD ["nginx", "-g", "daemon off;"]
"#,
    peer_ids: &["DL3001"],
};

impl super::Rule for Rule {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        const POINTLESS: &[&str] = &[
            "ssh", "vim", "shutdown", "service", "ps", "free", "top", "kill", "mount", "ifconfig",
        ];
        for run in &cx.runs {
            for c in run.script.named(POINTLESS) {
                out.push(cx.at_command(
                    &DOC,
                    run,
                    c,
                    format!("`{}` makes no sense in a container build", c.name()),
                ));
            }
        }
    }
}
