//! PAL-DF-076: USER names a user instead of a UID.

use palisade_model::Severity;

use super::{Context, Hit, RuleDoc};

pub struct Rule;

static DOC: RuleDoc = RuleDoc {
    id: "PAL-DF-076",
    title: "USER names a user instead of a UID",
    severity: Severity::Info,
    rationale: r#"Kubernetes runAsNonRoot can only verify a numeric USER; a name may also not exist on the host or resolve to a different id there."#,
    fix: r#"Use the numeric id: `USER 10001:10001`."#,
    bad: r#"FROM alpine:3.20
RUN adduser -D -u 10001 app
USER app
"#,
    good: r#"FROM alpine:3.20
RUN adduser -D -u 10001 app
USER 10001
"#,
    peer_ids: &["DL3066"],
};

impl super::Rule for Rule {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        for (i, ins) in cx.instructions() {
            let Some(user) = ins.text().filter(|_| ins.is("user")) else {
                continue;
            };
            let uid = user.split(':').next().unwrap_or(user).trim();
            if !uid.chars().all(|c| c.is_ascii_digit()) && !uid.contains('$') {
                out.push(cx.at(&DOC, i, format!("USER {uid} is not numeric")));
            }
        }
    }
}
