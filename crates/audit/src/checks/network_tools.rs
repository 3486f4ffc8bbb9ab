//! PAL-IMG-004: download and network tools in the final filesystem.

use super::tools;
use crate::{Check, Context, Scanner};
use palisade_model::{Finding, Severity};
use palisade_report::RuleDoc;

pub struct NetworkTools;

pub const NETWORK_TOOLS: &[&str] = &[
    "curl",
    "wget",
    "nc",
    "ncat",
    "netcat",
    "nc.openbsd",
    "nc.traditional",
    "socat",
    "telnet",
    "ssh",
    "scp",
    "sftp",
    "ftp",
    "tftp",
    "rsync",
];

static DOC: RuleDoc = RuleDoc {
    id: "PAL-IMG-004",
    title: "download or network tool present",
    severity: Severity::Medium,
    rationale: "curl, wget, nc and friends let an attacker who runs code in the container download \
        tools, open reverse shells and move data out. The guide names nc and curl explicitly.",
    fix: "Use them only in a build stage of a multi-stage build, or remove them after use in the same \
        RUN step (`apt-get purge`), or with `palisade harden --remove nc,curl,wget`.",
    peer_ids: &["CIS 4.3"],
    references: &["https://aws.github.io/aws-eks-best-practices/security/docs/image/"],
};

impl Check for NetworkTools {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }
    fn scanner(&self) -> Scanner {
        Scanner::Audit
    }
    fn run(&self, ctx: &Context<'_>) -> Vec<Finding> {
        tools::find(ctx, NETWORK_TOOLS)
            .into_iter()
            .map(|p| {
                ctx.file_finding(
                    &DOC,
                    &p.path,
                    p.layer,
                    format!("{} can reach the network", p.describe()),
                )
            })
            .collect()
    }
}
