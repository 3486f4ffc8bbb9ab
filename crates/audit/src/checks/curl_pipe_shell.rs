//! PAL-IMG-012: `curl … | sh` in the image history.

use crate::{Check, Context, Scanner};
use palisade_model::{Finding, Severity, redact_assignment};
use palisade_report::RuleDoc;

pub struct CurlPipeShell;

static DOC: RuleDoc = RuleDoc {
    id: "PAL-IMG-012",
    title: "downloaded script piped into a shell",
    severity: Severity::Medium,
    rationale: "curl … | sh runs whatever the server sends at build time, unverified: a compromised or \
        spoofed server gets code execution in the build and its output ships in the image.",
    fix: "Download the script, verify its checksum or signature, then run it; or install from a package \
        repository with signed metadata.",
    peer_ids: &["DL4006"],
    references: &[],
};

const FETCHERS: &[&str] = &["curl", "wget"];
const SHELLS: &[&str] = &[
    "sh", "bash", "dash", "ash", "zsh", "python", "python3", "perl", "ruby", "node",
];

/// Whether a command line pipes the output of curl/wget into an interpreter.
pub fn pipes_download_into_shell(cmd: &str) -> bool {
    // Split on '|' but not '||'.
    let normalised = cmd.replace("||", "\u{0}");
    let stages: Vec<&str> = normalised.split('|').collect();
    stages.windows(2).any(|w| {
        let first_word = |s: &str| -> Vec<String> {
            s.split(|c: char| c.is_whitespace() || c == ';' || c == '&' || c == '(')
                .filter(|t| !t.is_empty())
                .map(|t| t.rsplit('/').next().unwrap_or(t).to_string())
                .collect()
        };
        let left = first_word(w[0]);
        let right = first_word(w[1]);
        let fetches = left.iter().any(|t| FETCHERS.contains(&t.as_str()));
        let runs = right
            .iter()
            .skip_while(|t| t.as_str() == "sudo" || t.starts_with('-') || t.contains('='))
            .take(1)
            .any(|t| SHELLS.contains(&t.as_str()));
        fetches && runs
    })
}

impl Check for CurlPipeShell {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }
    fn scanner(&self) -> Scanner {
        Scanner::Audit
    }
    fn run(&self, ctx: &Context<'_>) -> Vec<Finding> {
        let history = ctx.image.config.history().clone().unwrap_or_default();
        history
            .iter()
            .enumerate()
            .filter_map(|(i, h)| {
                let created_by = h.created_by().as_deref()?;
                pipes_download_into_shell(created_by).then(|| {
                    let shown: String = redact_assignment(created_by).chars().take(160).collect();
                    ctx.finding(&DOC, format!("history step {}: {shown}", i + 1))
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::pipes_download_into_shell as p;

    #[test]
    fn detects_pipes() {
        assert!(p("/bin/sh -c curl -fsSL https://x.sh | sh"));
        assert!(p("RUN wget -qO- https://x | sudo bash -s --"));
        assert!(p("curl https://x|/bin/bash"));
        assert!(!p("curl -o x https://x && sha256sum -c x.sha256 && sh x"));
        assert!(!p("curl https://x || true"));
        assert!(!p("cat x | sh"));
        assert!(!p("curl https://x | tar xz"));
    }
}
