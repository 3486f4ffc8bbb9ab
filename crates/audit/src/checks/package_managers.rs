//! PAL-IMG-005: package managers in the final filesystem.

use super::tools;
use crate::{Check, Context, Scanner};
use palisade_model::{Finding, Severity};
use palisade_report::RuleDoc;

pub struct PackageManagers;

pub const PACKAGE_MANAGERS: &[&str] = &[
    "apt", "apt-get", "dpkg", "apk", "yum", "dnf", "microdnf", "rpm", "zypper", "pip", "pip3",
    "npm", "yarn", "gem",
];

static DOC: RuleDoc = RuleDoc {
    id: "PAL-IMG-005",
    title: "package manager present",
    severity: Severity::Low,
    rationale: "A package manager in a running container lets an attacker install whatever they need, \
        and it means the image carries a whole OS's tooling that the application does not use.",
    fix: "Install packages in a build stage and copy only the result into a minimal final stage, \
        or remove the package manager with `palisade harden --remove-package-managers`.",
    peer_ids: &["CIS 4.3"],
    references: &[],
};

impl Check for PackageManagers {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }
    fn scanner(&self) -> Scanner {
        Scanner::Audit
    }
    fn run(&self, ctx: &Context<'_>) -> Vec<Finding> {
        tools::find(ctx, PACKAGE_MANAGERS)
            .into_iter()
            .map(|p| {
                ctx.file_finding(
                    &DOC,
                    &p.path,
                    p.layer,
                    format!("package manager {}", p.describe()),
                )
            })
            .collect()
    }
}
