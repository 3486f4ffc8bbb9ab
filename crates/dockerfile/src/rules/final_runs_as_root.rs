//! PAL-DF-001: Final stage runs as root.

use palisade_model::Severity;

use super::{Context, Hit, RuleDoc};

pub struct Rule;

static DOC: RuleDoc = RuleDoc {
    id: "PAL-DF-001",
    title: "Final stage runs as root",
    severity: Severity::High,
    rationale: r#"A container whose process runs as root turns any code-execution bug into root in the container, one kernel bug away from the node. The image-security guide asks for a USER directive so the final image runs as an unprivileged user; an image that never sets USER runs as root too."#,
    fix: r#"Create an unprivileged user and end the final stage with `USER name` or `USER uid:gid` (not root or 0)."#,
    bad: r#"FROM debian:12
RUN apt-get update
CMD ["app"]
"#,
    good: r#"FROM debian:12
RUN useradd -r app
USER app
CMD ["app"]
"#,
    peer_ids: &["DL3002", "AVD-DS-0002", "CIS 4.1"],
};

impl super::Rule for Rule {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        let Some(last) = cx.final_stage() else { return };
        let mut user = None;
        for st in super::chain(cx, last) {
            let found = cx.df.instructions[st.instructions.clone()]
                .iter()
                .enumerate()
                .rev()
                .find(|(_, ins)| ins.is("user"));
            if let Some((k, ins)) = found {
                user = Some((
                    st.instructions.start + k,
                    ins.text().unwrap_or("").to_string(),
                ));
                break;
            }
        }
        match user {
            None => {
                let base = &super::chain(cx, last)
                    .last()
                    .map_or("", |s| s.image.as_str())
                    .to_string();
                // Images built to run unprivileged (distroless :nonroot, chainguard) set their own user.
                if base.contains("nonroot") || base.starts_with("cgr.dev/") {
                    return;
                }
                out.push(cx.at(
                    &DOC,
                    last.from,
                    "the final stage sets no USER: the container runs as root",
                ));
            }
            Some((i, u)) => {
                let name = u
                    .trim_matches('"')
                    .split(':')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_string();
                if name == "root" || name == "0" {
                    out.push(cx.at(&DOC, i, format!("the final stage's last USER is {name}")));
                }
            }
        }
    }
}
