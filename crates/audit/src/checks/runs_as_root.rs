//! PAL-IMG-006: the image runs as root.

use crate::{Check, Context, Scanner};
use palisade_model::{Finding, Severity};
use palisade_report::RuleDoc;

pub struct RunsAsRoot;

static DOC: RuleDoc = RuleDoc {
    id: "PAL-IMG-006",
    title: "runs as root",
    severity: Severity::Medium,
    rationale: "A process running as uid 0 in a container is root on the host's kernel: one container \
        escape or a writable host mount and the node is compromised. Kubernetes' runAsNonRoot refuses such images.",
    fix: "Add a non-root user and switch to it: USER 65532:65532 (numeric, so runAsNonRoot can verify it), \
        or `palisade harden --user 65532:65532`.",
    peer_ids: &["CIS-DI-0001", "CIS 4.1", "DL3002", "AVD-DS-0002"],
    references: &["https://aws.github.io/aws-eks-best-practices/security/docs/image/"],
};

impl Check for RunsAsRoot {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }
    fn scanner(&self) -> Scanner {
        Scanner::Audit
    }
    fn run(&self, ctx: &Context<'_>) -> Vec<Finding> {
        let user = ctx
            .image
            .config
            .config()
            .as_ref()
            .and_then(|c| c.user().clone())
            .unwrap_or_default();
        let user_part = user.split(':').next().unwrap_or("").trim();
        let message = if user_part.is_empty() {
            Some("no USER is set: the image runs as root (uid 0)".to_string())
        } else if user_part == "root" || user_part == "0" {
            Some(format!("USER is {user:?}: the image runs as root (uid 0)"))
        } else if let Ok(uid) = user_part.parse::<u64>() {
            (uid == 0).then(|| format!("USER {user:?} is uid 0"))
        } else {
            match ctx.accounts().and_then(|a| a.uid_of(user_part)) {
                Some(0) => Some(format!(
                    "USER {user:?} has uid 0 in the image's /etc/passwd: it is root"
                )),
                _ => None,
            }
        };
        message.map(|m| ctx.finding(&DOC, m)).into_iter().collect()
    }
}
