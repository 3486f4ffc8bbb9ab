//! PAL-DF-004: Shell or network tool installed in the final stage.

use palisade_model::Severity;

use super::{Context, Hit, RuleDoc};

fn is_tool(pkg: &str) -> bool {
    let name = pkg.split(['=', ':']).next().unwrap_or(pkg);
    matches!(
        name,
        "curl"
            | "wget"
            | "netcat"
            | "netcat-openbsd"
            | "netcat-traditional"
            | "nc"
            | "ncat"
            | "nmap"
            | "nmap-ncat"
            | "socat"
            | "telnet"
            | "openssh-client"
            | "openssh-clients"
            | "openssh-server"
            | "ssh"
            | "tcpdump"
            | "ftp"
            | "bash"
            | "zsh"
            | "ksh"
            | "tcsh"
            | "fish"
    )
}

pub struct Rule;

static DOC: RuleDoc = RuleDoc {
    id: "PAL-DF-004",
    title: "Shell or network tool installed in the final stage",
    severity: Severity::Medium,
    rationale: r#"curl, wget, nc, ssh clients and extra shells in the final image are what an attacker needs after a breach: to download tools, open reverse shells and move laterally. The guide asks to keep them out of production images."#,
    fix: r#"Install download and network tools only in build stages, or remove them in the same RUN after use."#,
    bad: r#"FROM debian:12
RUN apt-get update && apt-get install -y --no-install-recommends curl netcat-openbsd
"#,
    good: r#"FROM debian:12 AS fetch
RUN apt-get update && apt-get install -y --no-install-recommends curl
RUN curl -fsSLo /tmp/app https://example.com/app
FROM debian:12-slim
COPY --from=fetch /tmp/app /app
"#,
    peer_ids: &[],
};

impl super::Rule for Rule {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        let Some(last) = cx.final_stage() else { return };
        for run in super::chain_runs(cx, last) {
            for inst in super::package_installs(run) {
                let tools: Vec<&str> = inst
                    .packages
                    .iter()
                    .copied()
                    .filter(|p| is_tool(p))
                    .collect();
                if !tools.is_empty() {
                    out.push(cx.at_command(
                        &DOC,
                        run,
                        inst.cmd,
                        format!("installs {} into the final stage", tools.join(", ")),
                    ));
                }
            }
        }
    }
}
