//! PAL-IMG-012: `curl … | sh` in the image history.

use crate::{Check, Context, Scanner};
use palisade_model::{Finding, Severity};
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

/// Characters that end one simple command inside a pipeline stage (`&&`,
/// `;`, `&`, newlines, a subshell; `||` is replaced by NUL before).
const COMMAND_SEPARATORS: &[char] = &['\u{0}', ';', '&', '\n', '('];

/// Whether a command line pipes the output of curl/wget into an interpreter.
/// Only what flows through the pipe counts: the stage feeding a pipe is the
/// last command before the `|` (`apt-get install curl && echo y | bash`
/// pipes echo, not curl), the command reading it the first one after; a
/// download passes through filters (`curl … | tr -d '\r' | sh`).
pub fn pipes_download_into_shell(cmd: &str) -> bool {
    // Split on '|' but not '||'.
    let normalised = cmd.replace("||", "\u{0}");
    let words = |s: &str| -> Vec<String> {
        s.split(|c: char| c.is_whitespace() || COMMAND_SEPARATORS.contains(&c))
            .filter(|t| !t.is_empty())
            .map(|t| t.rsplit('/').next().unwrap_or(t).to_string())
            .collect()
    };
    // Whether the pipe into the current stage carries a download.
    let mut downloading = false;
    for (i, stage) in normalised.split('|').enumerate() {
        let commands: Vec<&str> = stage.split(COMMAND_SEPARATORS).collect();
        if i > 0 && downloading {
            let reader = words(commands[0]);
            let runs = reader
                .iter()
                .skip_while(|t| t.as_str() == "sudo" || t.starts_with('-') || t.contains('='))
                .take(1)
                .any(|t| SHELLS.contains(&t.as_str()));
            if runs {
                return true;
            }
        }
        let last = commands.last().copied().unwrap_or("");
        let fetches = words(last).iter().any(|t| FETCHERS.contains(&t.as_str()));
        downloading = fetches || (commands.len() == 1 && downloading && i > 0);
    }
    false
}

impl Check for CurlPipeShell {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }
    fn scanner(&self) -> Scanner {
        Scanner::Audit
    }
    fn run(&self, ctx: &Context<'_>) -> Vec<Finding> {
        ctx.history_steps()
            .filter(|(_, created_by)| pipes_download_into_shell(created_by))
            .map(|(n, created_by)| {
                ctx.finding(
                    &DOC,
                    format!("history step {n}: {}", crate::quote_step(created_by)),
                )
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
        assert!(p("curl -fsSL https://x | tr -d '\\r' | sh"));
        assert!(p(
            "apt-get update && curl -sL https://x | bash - && apt-get install -y y"
        ));
        assert!(!p(
            "apt-get install -y curl && echo y | bash /opt/configure.sh"
        ));
        assert!(!p("curl -o /tmp/x https://x; cat /etc/motd | sh"));
    }
}
