//! PAL-IMG-015: wasted space across layers (dive's efficiency and CI thresholds).

use crate::{Check, Context, Scanner};
use palisade_model::{Finding, Severity};
use palisade_report::RuleDoc;

pub struct Efficiency;

/// dive's default CI rules: lowest efficiency 0.9, highest user wasted percent 0.1.
pub const LOWEST_EFFICIENCY: f64 = 0.9;
pub const HIGHEST_USER_WASTED: f64 = 0.1;

static DOC: RuleDoc = RuleDoc {
    id: "PAL-IMG-015",
    title: "layers waste space",
    severity: Severity::Low,
    rationale: "Files overwritten or deleted in later layers still ship in the lower ones: larger pulls, \
        slower starts, and 'deleted' content (keys, caches, setuid binaries) that is still extractable.",
    fix: "Create and delete temporary files in the same RUN step, use multi-stage builds, or squash \
        (`palisade harden --squash`). The biggest wasted paths are listed in `palisade inspect`.",
    peer_ids: &["dive --ci: lowestEfficiency 0.9, highestUserWastedPercent 0.1"],
    references: &["https://github.com/wagoodman/dive#ci-integration"],
};

impl Check for Efficiency {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }
    fn scanner(&self) -> Scanner {
        Scanner::Audit
    }
    fn run(&self, ctx: &Context<'_>) -> Vec<Finding> {
        let eff = ctx.scan.fs.efficiency();
        let ratio = |bytes: u64| {
            if eff.user_bytes == 0 {
                0.0
            } else {
                bytes as f64 / eff.user_bytes as f64
            }
        };
        let user_wasted = ratio(eff.wasted_bytes);
        // palisade's own measure: bytes of lower-layer files that later layers
        // delete or overwrite. dive's per-path figure can miss a big file
        // deleted together with its directory; this cannot.
        let hidden: u64 = ctx.scan.changes.iter().map(|c| c.wasted_bytes).sum();
        let hidden_ratio = ratio(hidden);
        if eff.score >= LOWEST_EFFICIENCY
            && user_wasted <= HIGHEST_USER_WASTED
            && hidden_ratio <= HIGHEST_USER_WASTED
        {
            return Vec::new();
        }
        let top: Vec<String> = eff
            .inefficient
            .iter()
            .take(3)
            .map(|p| {
                format!(
                    "/{} ({} B in {} layers)",
                    p.path, p.total_bytes, p.occurrences
                )
            })
            .collect();
        let worst_layer = ctx
            .scan
            .changes
            .iter()
            .enumerate()
            .max_by_key(|(_, c)| c.wasted_bytes)
            .filter(|(_, c)| c.wasted_bytes > 0)
            .map(|(i, c)| {
                format!(
                    "; layer {} ships {} B that later layers hide",
                    i + 1,
                    c.wasted_bytes
                )
            })
            .unwrap_or_default();
        vec![ctx.finding(
            &DOC,
            format!(
                "efficiency {:.2} % (dive's threshold 90 %), wasted {} B = {:.1} % of the layers above the base \
                 (threshold 10 %); {} B of lower-layer files are deleted or overwritten later ({:.1} %){worst_layer}; \
                 largest: {}",
                100.0 * eff.score,
                eff.wasted_bytes,
                100.0 * user_wasted,
                hidden,
                100.0 * hidden_ratio,
                if top.is_empty() { "-".to_string() } else { top.join(", ") }
            ),
        )]
    }
}
