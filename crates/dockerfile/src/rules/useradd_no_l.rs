//! PAL-DF-042: useradd with a high UID without -l.

use palisade_model::Severity;

use super::{Context, Hit, RuleDoc};

pub struct Rule;

static DOC: RuleDoc = RuleDoc {
    id: "PAL-DF-042",
    title: "useradd with a high UID without -l",
    severity: Severity::Low,
    rationale: r#"useradd without -l (--no-log-init) writes a sparse /var/log/lastlog sized by the UID; high UIDs create huge layers."#,
    fix: r#"Add `-l` (`--no-log-init`)."#,
    bad: r#"FROM debian:12
RUN useradd -u 123456 app
"#,
    good: r#"FROM debian:12
RUN useradd -l -u 123456 app
"#,
    peer_ids: &["DL3046"],
};

impl super::Rule for Rule {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        for run in &cx.runs {
            for c in run.script.named(&["useradd"]) {
                if c.has_option('l', &["--no-log-init"]) {
                    continue;
                }
                let uid = c
                    .args
                    .windows(2)
                    .find(|w| w[0] == "-u" || w[0] == "--uid")
                    .map(|w| w[1].as_str())
                    .or_else(|| c.args.iter().find_map(|a| a.strip_prefix("--uid=")));
                if uid.is_some_and(|u| u.parse::<u64>().is_ok_and(|n| n > 99_999)) {
                    out.push(cx.at_command(&DOC, run, c, "useradd with a high UID without -l"));
                }
            }
        }
    }
}
