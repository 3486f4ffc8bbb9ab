//! From a parsed Dockerfile to findings: run the rules, honour inline
//! pragmas and the configuration's ignores and severity overrides.

use palisade_model::{Finding, Location, Severity};

use crate::ast::Dockerfile;
use crate::custom::CustomRule;
use crate::rules::{self, Context, Hit, RuleDoc, Settings};

/// What the configuration says about linting.
#[derive(Debug, Clone, Default)]
pub struct LintOptions {
    pub settings: Settings,
    /// Rule ids (PAL-DF-… or the peer's, e.g. DL3008) never reported.
    pub ignored: Vec<String>,
    /// Severity per rule id (ours or the peer's).
    pub severity_overrides: Vec<(String, Severity)>,
    /// Do not honour `# palisade ignore=` / `# hadolint ignore=` comments.
    pub disable_pragmas: bool,
    /// User-defined rules from the configuration, run after the built-in ones.
    pub custom: Vec<CustomRule>,
}

/// Whether `id` names this rule (its own id or one of its peer ids).
pub fn names_rule(doc: &RuleDoc, id: &str) -> bool {
    doc.id.eq_ignore_ascii_case(id) || doc.peer_ids.iter().any(|p| p.eq_ignore_ascii_case(id))
}

/// The result of linting one file.
#[derive(Debug, Clone, Default)]
pub struct LintResult {
    pub findings: Vec<Finding>,
    /// Findings an inline pragma or the configuration suppressed.
    pub suppressed: Vec<Finding>,
}

/// Lints a parsed Dockerfile; `input` is the path shown in findings.
pub fn lint(df: &Dockerfile, input: &str, opts: &LintOptions) -> LintResult {
    let cx = Context::new(df, &opts.settings);
    let mut hits = rules::check_all(&cx);
    for rule in &opts.custom {
        rule.check(&cx, &mut hits);
    }
    let mut out = LintResult::default();
    for hit in hits {
        let suppressed = opts.ignored.iter().any(|id| names_rule(hit.rule, id))
            || (!opts.disable_pragmas && pragma_ignores(df, &hit));
        let finding = to_finding(&hit, input, opts);
        if suppressed {
            out.suppressed.push(finding);
        } else {
            out.findings.push(finding);
        }
    }
    out
}

/// A pragma comment ignores the rule for the first instruction after it.
fn pragma_ignores(df: &Dockerfile, hit: &Hit) -> bool {
    let Some(ins) = df.instructions.get(hit.instruction) else {
        return false;
    };
    let start = ins.span.start.line;
    let prev_end = hit
        .instruction
        .checked_sub(1)
        .and_then(|p| df.instructions.get(p))
        .map_or(0, |p| p.span.end.line);
    df.pragmas
        .iter()
        .filter(|(line, _)| *line > prev_end && *line < start)
        .any(|(_, ids)| ids.iter().any(|id| names_rule(hit.rule, id)))
}

fn to_finding(hit: &Hit, input: &str, opts: &LintOptions) -> Finding {
    let severity = opts
        .severity_overrides
        .iter()
        .rev()
        .find(|(id, _)| names_rule(hit.rule, id))
        .map_or(hit.rule.severity, |(_, s)| *s);
    Finding {
        rule: hit.rule.id.to_string(),
        severity,
        title: hit.rule.title.to_string(),
        message: hit.message.clone(),
        location: Location {
            input: input.to_string(),
            path: None,
            layer: None,
            line: Some(hit.pos.line),
            column: Some(hit.pos.column),
        },
        fix: Some(squash(hit.rule.fix)),
        references: hit.rule.peer_ids.iter().map(|s| s.to_string()).collect(),
        vulnerability: None,
    }
}

/// Collapses runs of white space (rule texts are written over several lines).
pub fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}
