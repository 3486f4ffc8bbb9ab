//! PAL-DF-005: Packages installed without upgrading the base.

use palisade_model::Severity;

use super::{Context, Hit, RuleDoc};

pub struct Rule;

static DOC: RuleDoc = RuleDoc {
    id: "PAL-DF-005",
    title: "Packages installed without upgrading the base",
    severity: Severity::Low,
    rationale: r#"Base images lag behind security updates. The guide asks to upgrade packages when building (`apt-get upgrade`, `apk upgrade`, `dnf upgrade`) so fixed CVEs are not shipped; hadolint's retired DL3005 said the opposite."#,
    fix: r#"Run the package manager's upgrade in the same stage, e.g. `apt-get update && apt-get upgrade -y && apt-get install -y …`, or rebuild on a freshly patched base image."#,
    bad: r#"FROM debian:12
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates
"#,
    good: r#"FROM debian:12
RUN apt-get update && apt-get upgrade -y && apt-get install -y --no-install-recommends ca-certificates
"#,
    peer_ids: &[],
};

impl super::Rule for Rule {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        let Some(last) = cx.final_stage() else { return };
        let runs = super::chain_runs(cx, last);
        let upgraded = |manager: &str| {
            runs.iter().any(|r| {
                r.script.commands.iter().any(|c| {
                    let sub = |s: &[&str]| c.args.iter().skip(1).any(|a| s.contains(&a.as_str()));
                    match (manager, c.name()) {
                        ("apt", "apt-get" | "apt" | "unattended-upgrade") => {
                            sub(&["upgrade", "dist-upgrade", "full-upgrade"])
                                || c.name() == "unattended-upgrade"
                        }
                        ("apk", "apk") => sub(&["upgrade"]),
                        ("yum", "yum") | ("dnf", "dnf" | "microdnf") => {
                            sub(&["upgrade", "update", "distro-sync"])
                        }
                        ("zypper", "zypper") => {
                            sub(&["update", "up", "dup", "dist-upgrade", "patch"])
                        }
                        _ => false,
                    }
                })
            })
        };
        for run in &runs {
            for inst in super::package_installs(run) {
                if !upgraded(inst.manager) {
                    out.push(cx.at_command(
                        &DOC,
                        run,
                        inst.cmd,
                        format!(
                            "installs {} packages without upgrading the base image's packages",
                            inst.manager
                        ),
                    ));
                    return;
                }
            }
        }
    }
}
