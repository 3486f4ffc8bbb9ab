//! PAL-DF-025: apk add without version pins.

use palisade_model::Severity;

use super::{Context, Hit, RuleDoc};

pub struct Rule;

static DOC: RuleDoc = RuleDoc {
    id: "PAL-DF-025",
    title: "apk add without version pins",
    severity: Severity::Low,
    rationale: r#"Unpinned Alpine packages make builds unreproducible."#,
    fix: r#"Pin versions: `apk add --no-cache curl=8.11.0-r2`."#,
    bad: r#"FROM alpine:3.20
RUN apk add --no-cache curl
"#,
    good: r#"FROM alpine:3.20
RUN apk add --no-cache curl=8.11.0-r2
"#,
    peer_ids: &["DL3018"],
};

impl super::Rule for Rule {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        for run in &cx.runs {
            for inst in super::package_installs(run) {
                if inst.manager != "apk" {
                    continue;
                }
                let loose: Vec<&str> = inst
                    .packages
                    .iter()
                    .copied()
                    .filter(|p| {
                        !p.contains('=')
                            && !p.contains('~')
                            && !p.contains('>')
                            && !p.contains('<')
                            && !p.ends_with(".apk")
                            && !p.contains('$')
                    })
                    .collect();
                if !loose.is_empty() {
                    out.push(cx.at_command(
                        &DOC,
                        run,
                        inst.cmd,
                        format!("pin versions in apk add: {}", loose.join(", ")),
                    ));
                }
            }
        }
    }
}
