//! PAL-DF-049: Unknown instruction.

use palisade_model::Severity;

use super::{Context, Hit, RuleDoc};

pub struct Rule;

static DOC: RuleDoc = RuleDoc {
    id: "PAL-DF-049",
    title: "Unknown instruction",
    severity: Severity::High,
    rationale: r#"BuildKit's parser keeps unknown instructions but the build then fails on them; usually a typo or a lost line continuation."#,
    fix: r#"Fix the keyword, or join the line to the previous instruction with the escape character."#,
    bad: r#"FROM alpine:3.20
RUN apk add --no-cache curl
    wget
"#,
    good: r#"FROM alpine:3.20
RUN apk add --no-cache curl \
    wget
"#,
    peer_ids: &[],
};

impl super::Rule for Rule {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        const KNOWN: &[&str] = &[
            "add",
            "arg",
            "cmd",
            "copy",
            "entrypoint",
            "env",
            "expose",
            "from",
            "healthcheck",
            "label",
            "maintainer",
            "onbuild",
            "run",
            "shell",
            "stopsignal",
            "user",
            "volume",
            "workdir",
        ];
        for (i, ins) in cx.instructions() {
            let k = ins.keyword.to_ascii_lowercase();
            if !KNOWN.contains(&k.as_str()) {
                let shown: String = ins.keyword.chars().take(40).collect();
                out.push(cx.at(&DOC, i, format!("unknown instruction {shown:?}")));
            }
        }
    }
}
