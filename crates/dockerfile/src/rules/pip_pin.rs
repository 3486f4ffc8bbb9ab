//! PAL-DF-021: pip install without version pins.

use palisade_model::Severity;

use super::Run;
use super::{Context, Hit, RuleDoc};
use crate::shell::Command;

/// `pip install`, `pip3 install`, `python -m pip install`.
pub(crate) fn pip_installs<'r>(run: &'r Run<'_>) -> impl Iterator<Item = &'r Command> + 'r {
    run.script.commands.iter().filter(|c| {
        let pip = c.name().starts_with("pip")
            || (c.name().starts_with("python") && c.args.iter().any(|a| a == "pip"));
        pip && c.args.iter().any(|a| a == "install")
    })
}

/// Package operands of a pip install (options and their values skipped).
fn pip_packages(c: &Command) -> Vec<&str> {
    let mut out = Vec::new();
    let args = c.subcommand_args("install").unwrap_or_default();
    let mut skip = false;
    for a in args {
        if skip {
            skip = false;
            continue;
        }
        if matches!(
            a,
            "-r" | "--requirement"
                | "-c"
                | "--constraint"
                | "-e"
                | "--editable"
                | "-i"
                | "--index-url"
                | "--extra-index-url"
                | "-f"
                | "--find-links"
                | "-t"
                | "--target"
                | "--prefix"
                | "--root"
                | "--trusted-host"
        ) {
            // A requirements file or editable path: not a bare package.
            skip = true;
            continue;
        }
        if !a.starts_with('-') {
            out.push(a);
        }
    }
    out
}

fn pinned(p: &str) -> bool {
    p.contains("==")
        || p.contains(">=")
        || p.contains("<=")
        || p.contains("~=")
        || p.contains("!=")
        || p.contains('<')
        || p.contains('>')
        || p.contains('@')
        || p.contains('/')
        || p.starts_with('.')
        || p.contains('$')
        || [".whl", ".tar.gz", ".zip"].iter().any(|e| p.ends_with(e))
}

pub struct Rule;

static DOC: RuleDoc = RuleDoc {
    id: "PAL-DF-021",
    title: "pip install without version pins",
    severity: Severity::Low,
    rationale: r#"Unpinned Python packages make builds unreproducible and let a new (or hijacked) release into the image unnoticed."#,
    fix: r#"Pin versions (`pip install requests==2.32.3`) or install from a requirements file with hashes."#,
    bad: r#"FROM python:3.12
RUN pip install requests
"#,
    good: r#"FROM python:3.12
RUN pip install --no-cache-dir requests==2.32.3
"#,
    peer_ids: &["DL3013"],
};

impl super::Rule for Rule {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        for run in &cx.runs {
            for c in pip_installs(run) {
                let loose: Vec<&str> = pip_packages(c).into_iter().filter(|p| !pinned(p)).collect();
                if !loose.is_empty() {
                    out.push(cx.at_command(
                        &DOC,
                        run,
                        c,
                        format!("pin versions in pip install: {}", loose.join(", ")),
                    ));
                }
            }
        }
    }
}
