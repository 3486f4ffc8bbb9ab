//! PAL-DF-010: Downloaded script piped into a shell.

use palisade_model::Severity;

use super::{Context, Hit, RuleDoc};

pub struct Rule;

static DOC: RuleDoc = RuleDoc {
    id: "PAL-DF-010",
    title: "Downloaded script piped into a shell",
    severity: Severity::High,
    rationale: r#"`curl … | sh` runs whatever the server returns, unverified, as the build user (often root). A compromised server or a man in the middle owns the image."#,
    fix: r#"Download to a file, verify its checksum or signature, then run it."#,
    bad: r#"FROM debian:12
RUN curl -fsSL https://example.com/install.sh | sh
"#,
    good: r#"FROM debian:12
RUN curl -fsSLo /tmp/install.sh https://example.com/install.sh && echo "<sha256>  /tmp/install.sh" | sha256sum -c - && sh /tmp/install.sh
"#,
    peer_ids: &[],
};

impl super::Rule for Rule {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        const FETCH: &[&str] = &["curl", "wget"];
        const SHELLS: &[&str] = &[
            "sh", "bash", "dash", "zsh", "ash", "ksh", "python", "python3", "perl", "ruby", "node",
        ];
        for run in &cx.runs {
            let cmds = &run.script.commands;
            for (k, c) in cmds.iter().enumerate() {
                let piped = FETCH.contains(&c.name())
                    && c.piped_out
                    && cmds
                        .get(k + 1)
                        .is_some_and(|n| n.piped_in && SHELLS.contains(&n.name()));
                let substituted = SHELLS.contains(&c.name())
                    && c.args.iter().any(|a| {
                        FETCH.iter().any(|f| {
                            a.contains(&format!("$({f} ")) || a.contains(&format!("<({f} "))
                        })
                    });
                if piped || substituted {
                    out.push(cx.at_command(
                        &DOC,
                        run,
                        c,
                        "a downloaded script is run by a shell without verification",
                    ));
                }
            }
        }
    }
}
