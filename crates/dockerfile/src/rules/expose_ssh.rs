//! PAL-DF-079: Port 22 exposed.

use palisade_model::Severity;

use super::{Context, Hit, RuleDoc};

pub struct Rule;

static DOC: RuleDoc = RuleDoc {
    id: "PAL-DF-079",
    title: "Port 22 exposed",
    severity: Severity::Medium,
    rationale: r#"An exposed SSH port means an SSH daemon in the container: another service to patch and a way in; use `kubectl exec` / `docker exec` for access."#,
    fix: r#"Remove port 22 from EXPOSE and the SSH server from the image."#,
    bad: r#"FROM debian:12
EXPOSE 22 8080
"#,
    good: r#"FROM debian:12
EXPOSE 8080
"#,
    peer_ids: &["AVD-DS-0004"],
};

impl super::Rule for Rule {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        for (i, ins) in cx.instructions() {
            if !ins.is("expose") {
                continue;
            }
            for w in ins.words() {
                let port = w.split('/').next().unwrap_or(w);
                let covers_22 = match port.split_once('-') {
                    Some((a, b)) => {
                        matches!((a.parse::<u32>(), b.parse::<u32>()), (Ok(a), Ok(b)) if a <= 22 && 22 <= b)
                    }
                    None => port == "22",
                };
                if covers_22 {
                    out.push(cx.at(&DOC, i, format!("EXPOSE {w} exposes the SSH port")));
                }
            }
        }
    }
}
