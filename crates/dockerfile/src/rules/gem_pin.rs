//! PAL-DF-052: gem install without version pins.

use palisade_model::Severity;

use super::{Context, Hit, RuleDoc};

pub struct Rule;

static DOC: RuleDoc = RuleDoc {
    id: "PAL-DF-052",
    title: "gem install without version pins",
    severity: Severity::Low,
    rationale: r#"Unpinned gems make builds unreproducible and let a new (or hijacked) release into the image."#,
    fix: r#"Pin versions: `gem install rails:7.2.1` or `gem install rails -v 7.2.1`, or install from a Gemfile.lock with bundler."#,
    bad: r#"FROM ruby:3.3
RUN gem install rails
"#,
    good: r#"FROM ruby:3.3
RUN gem install rails:7.2.1
"#,
    peer_ids: &["DL3028"],
};

impl super::Rule for Rule {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        for run in &cx.runs {
            for c in run.script.named(&["gem"]) {
                if !c.args.iter().skip(1).any(|a| a == "install" || a == "i")
                    || c.has_any(&["-v", "--version"])
                    || c.args.iter().any(|a| a.starts_with("--version="))
                {
                    continue;
                }
                let loose: Vec<&str> = c
                    .operands()
                    .filter(|a| !matches!(*a, "install" | "i") && !a.contains(':'))
                    .filter(|a| !a.ends_with(".gem") && !a.contains('$'))
                    .collect();
                if !loose.is_empty() {
                    out.push(cx.at_command(
                        &DOC,
                        run,
                        c,
                        format!("pin versions in gem install: {}", loose.join(", ")),
                    ));
                }
            }
        }
    }
}
