//! PAL-DF-024: npm install without version pins.

use palisade_model::Severity;

use super::{Context, Hit, RuleDoc};

pub struct Rule;

static DOC: RuleDoc = RuleDoc {
    id: "PAL-DF-024",
    title: "npm install without version pins",
    severity: Severity::Low,
    rationale: r#"Unpinned npm packages make builds unreproducible and let a new (or hijacked) release into the image."#,
    fix: r#"Pin versions: `npm install express@4.21.1`, or use `npm ci` with a lockfile."#,
    bad: r#"FROM node:22
RUN npm install -g express
"#,
    good: r#"FROM node:22
RUN npm install -g express@4.21.1
"#,
    peer_ids: &["DL3016"],
};

impl super::Rule for Rule {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        for run in &cx.runs {
            for c in run.script.named(&["npm"]) {
                let Some(sub) = c.args.iter().skip(1).find(|a| !a.starts_with('-')) else {
                    continue;
                };
                if !matches!(sub.as_str(), "install" | "i" | "add") {
                    continue;
                }
                let loose: Vec<&str> = super::packages_after(c, sub)
                    .into_iter()
                    .filter(|p| {
                        let bare = p.strip_prefix('@').unwrap_or(p);
                        !bare.contains('@') && !p.contains('/')
                            || p.starts_with('@') && !bare.contains('@')
                    })
                    .filter(|p| {
                        !p.contains(':')
                            && !p.starts_with('.')
                            && !p.ends_with(".tgz")
                            && !p.contains('$')
                    })
                    .collect();
                if !loose.is_empty() {
                    out.push(cx.at_command(
                        &DOC,
                        run,
                        c,
                        format!("pin versions in npm install: {}", loose.join(", ")),
                    ));
                }
            }
        }
    }
}
