//! PAL-IMG-009: accounts with an empty password in /etc/shadow.

use crate::analyzers::AccountFile;
use crate::{Check, Context, Scanner};
use palisade_model::{Finding, Severity};
use palisade_report::RuleDoc;

pub struct EmptyPassword;

static DOC: RuleDoc = RuleDoc {
    id: "PAL-IMG-009",
    title: "account with an empty password",
    severity: Severity::High,
    rationale: "An empty password field lets anyone log in or `su` to that account without a password.",
    fix: "Lock the account (`passwd -l NAME` or `usermod -p '*' NAME`) in the Dockerfile.",
    peer_ids: &["DKL-LI-0001"],
    references: &[],
};

impl Check for EmptyPassword {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }
    fn scanner(&self) -> Scanner {
        Scanner::Audit
    }
    fn run(&self, ctx: &Context<'_>) -> Vec<Finding> {
        let Some((real, node)) = ctx.scan.fs.resolve("etc/shadow") else {
            return Vec::new();
        };
        let Some(AccountFile::Shadow(shadow)) = ctx
            .scan
            .analysis(&real, ctx.accounts_analyzer)
            .and_then(|a| a.downcast_ref::<AccountFile>())
        else {
            return Vec::new();
        };
        shadow
            .empty_password
            .iter()
            .map(|name| {
                ctx.file_finding(
                    &DOC,
                    &real,
                    node.layer,
                    format!("account {name:?} has an empty password in /{real}"),
                )
            })
            .collect()
    }
}
