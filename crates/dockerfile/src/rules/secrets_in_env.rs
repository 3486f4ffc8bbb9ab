//! PAL-DF-008: Secret in ENV or ARG.

use palisade_model::Severity;

use super::{Context, Hit, RuleDoc};
use crate::ast::Args;

/// Values that are credentials whatever their key: AWS access key ids,
/// private keys, GitHub/GitLab/Slack/Stripe tokens.
fn secret_value(v: &str) -> bool {
    let aws = v.len() >= 20
        && v.as_bytes().windows(20).any(|w| {
            (w.starts_with(b"AKIA") || w.starts_with(b"ASIA"))
                && w[4..]
                    .iter()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        });
    aws || v.contains("-----BEGIN") && v.contains("PRIVATE KEY")
        || [
            "ghp_",
            "gho_",
            "github_pat_",
            "glpat-",
            "xoxb-",
            "xoxp-",
            "sk_live_",
        ]
        .iter()
        .any(|p| v.starts_with(p) && v.len() > p.len() + 10)
}

/// Shows at most the first 4 characters.
fn redact(v: &str) -> String {
    let head: String = v.chars().take(4).collect();
    if v.chars().count() <= 8 {
        "****".into()
    } else {
        format!("{head}****")
    }
}

pub struct Rule;

static DOC: RuleDoc = RuleDoc {
    id: "PAL-DF-008",
    title: "Secret in ENV or ARG",
    severity: Severity::Critical,
    rationale: r#"ENV values are stored in the image config and ARG values in its history: anyone who can pull the image can read them. Keys such as passwords, tokens, AWS access keys and private keys must come from build secrets (`RUN --mount=type=secret`) or the runtime environment."#,
    fix: r#"Remove the value; pass it at build time with `RUN --mount=type=secret,id=…` or at run time through the orchestrator's secret store."#,
    bad: r#"FROM alpine:3.20
ENV AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
"#,
    good: r#"FROM alpine:3.20
RUN --mount=type=secret,id=aws,target=/root/.aws/credentials aws s3 cp s3://bucket/file /file
"#,
    peer_ids: &["DL3064", "AVD-DS-0031", "CIS 4.10"],
};

impl super::Rule for Rule {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        for (i, ins) in cx.instructions() {
            let mut pairs: Vec<(String, Option<String>)> = Vec::new();
            if ins.is("env") || ins.is("label") {
                if let Args::Pairs(p) = &ins.args {
                    pairs.extend(p.iter().map(|kv| (kv.key.clone(), Some(kv.value.clone()))));
                }
            } else if ins.is("arg") {
                for w in ins.words() {
                    match w.split_once('=') {
                        Some((k, v)) => pairs.push((k.to_string(), Some(v.to_string()))),
                        None => pairs.push((w.clone(), None)),
                    }
                }
            }
            for (key, value) in pairs {
                let value = value.map(|v| v.trim_matches(|c| c == '"' || c == '\'').to_string());
                let kind = ins.name();
                if let Some(v) = value.as_deref().filter(|v| secret_value(v)) {
                    out.push(cx.at(
                        &DOC,
                        i,
                        format!(
                            "{kind} {key} holds what looks like a credential ({})",
                            redact(v)
                        ),
                    ));
                } else if !ins.is("label") && palisade_model::looks_like_secret_key(&key) {
                    match value.as_deref() {
                        Some(v) if !v.is_empty() && !v.starts_with('$') => out.push(cx.at(&DOC, i, format!(
                            "{kind} {key} sets a secret-looking value ({}) that is stored in the image", redact(v)))),
                        Some(_) => {}
                        None => out.push(cx.at(&DOC, i, format!(
                            "ARG {key} passes a secret through a build argument, which is recorded in the image history"))),
                    }
                }
            }
        }
    }
}
