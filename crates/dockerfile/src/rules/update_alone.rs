//! PAL-DF-080: Package index updated without an install in the same RUN.

use palisade_model::Severity;

use super::{Context, Hit, RuleDoc};

pub struct Rule;

static DOC: RuleDoc = RuleDoc {
    id: "PAL-DF-080",
    title: "Package index updated without an install in the same RUN",
    severity: Severity::Medium,
    rationale: r#"A RUN that only refreshes the package index (`apt-get update`, `apk update`, `dnf makecache`, `zypper refresh`) is cached as its own layer: a later RUN installs from that stale, cached index, so rebuilds miss security fixes or fail on packages that no longer exist."#,
    fix: r#"Update and install in the same RUN: `RUN apt-get update && apt-get install -y …`."#,
    bad: r#"FROM debian:12
RUN apt-get update
RUN apt-get install -y curl
"#,
    good: r#"FROM debian:12
RUN apt-get update && apt-get install -y curl
"#,
    peer_ids: &["AVD-DS-0017"],
};

impl super::Rule for Rule {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        for run in &cx.runs {
            let cmds = &run.script.commands;
            for (k, c) in cmds.iter().enumerate() {
                let Some(fam) = family(c.name()) else {
                    continue;
                };
                let refresh = match fam {
                    "apt" | "apk" => c.has_any(&["update"]),
                    "rpm" => c.has_any(&["makecache"]),
                    _ => c.has_any(&["refresh", "ref"]),
                };
                if !refresh {
                    continue;
                }
                let installs_later = cmds[k + 1..]
                    .iter()
                    .any(|d| family(d.name()) == Some(fam) && d.has_any(&INSTALLS));
                if !installs_later {
                    out.push(cx.at_command(
                        &DOC,
                        run,
                        c,
                        format!("{} update without an install in the same RUN", c.name()),
                    ));
                }
            }
        }
    }
}
/// Subcommands that install or upgrade packages. (`yum update` and
/// `zypper update` upgrade packages: they are not index refreshes.)
const INSTALLS: [&str; 11] = [
    "install",
    "update",
    "in",
    "upgrade",
    "dist-upgrade",
    "add",
    "reinstall",
    "groupinstall",
    "localinstall",
    "source-install",
    "full-upgrade",
];

/// Package managers that share an index: `apt` and `apt-get` do.
fn family(name: &str) -> Option<&'static str> {
    Some(match name {
        "apt-get" | "apt" | "aptitude" => "apt",
        "apk" => "apk",
        "yum" | "dnf" | "microdnf" => "rpm",
        "zypper" => "zypper",
        _ => return None,
    })
}
