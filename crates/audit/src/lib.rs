//! Image audit: what the EKS image-security guide forbids inside a built
//! image (setuid files, shells and network tools, root, secrets, loose
//! permissions, build leftovers, waste), found on the one pass of the
//! layer walk. One check per file in `checks/`; every check has a rule
//! document (id, severity, rationale, fix, dockle / CIS ids).

pub mod analyzers;
pub mod checks;
pub mod secret;

use analyzers::{AccountsAnalyzer, SecretAnalyzer};
use palisade_image::{Analyzer, Image, ImageRef, Scan};
use palisade_model::{Finding, Location, Severity};
use palisade_report::RuleDoc;

/// Which group a check belongs to (`--scanners audit,secret`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scanner {
    Audit,
    Secret,
}

impl Scanner {
    pub fn name(self) -> &'static str {
        match self {
            Scanner::Audit => "audit",
            Scanner::Secret => "secret",
        }
    }
}

/// User choices that change what checks report.
#[derive(Debug, Clone, Default)]
pub struct AuditOptions {
    /// Env/label keys not to report as secrets (dockle's `--accept-key`).
    pub accept_keys: Vec<String>,
    /// Paths (globs, with or without a leading `/`) not to report secrets in
    /// (dockle's `--accept-file`).
    pub accept_files: Vec<String>,
}

/// Everything a check may look at.
pub struct Context<'a> {
    /// The reference as the user gave it.
    pub input: &'a str,
    pub reference: &'a ImageRef,
    pub image: &'a Image,
    pub scan: &'a Scan,
    pub options: &'a AuditOptions,
    /// The OS package that owns a path (path without a leading `/` →
    /// "name version"), from the package inventory; empty when unknown.
    pub owners: &'a std::collections::HashMap<String, String>,
    /// Index of each of our analyzers in the walk's analyzer list.
    pub accounts_analyzer: usize,
    pub secret_analyzer: Option<usize>,
}

impl Context<'_> {
    /// Each history step's `created_by`, with its 1-based step number
    /// (steps without one keep their place in the numbering).
    pub fn history_steps(&self) -> impl Iterator<Item = (usize, &str)> {
        self.image
            .config
            .history()
            .iter()
            .flatten()
            .enumerate()
            .filter_map(|(i, h)| h.created_by().as_deref().map(|c| (i + 1, c)))
    }

    /// A finding of `doc`'s rule at its default severity.
    pub fn finding(&self, doc: &RuleDoc, message: String) -> Finding {
        Finding {
            rule: doc.id.to_string(),
            severity: doc.severity,
            title: doc.title.to_string(),
            message,
            location: Location {
                input: self.input.to_string(),
                ..Location::default()
            },
            fix: Some(doc.fix.to_string()),
            references: doc.references.iter().map(|r| r.to_string()).collect(),
            vulnerability: None,
        }
    }

    /// A finding about a path in the image, naming the layer (1-based) that holds it.
    pub fn file_finding(
        &self,
        doc: &RuleDoc,
        path: &str,
        layer: usize,
        message: String,
    ) -> Finding {
        let mut f = self.finding(doc, message);
        f.location.path = Some(format!("/{path}"));
        f.location.layer = self.scan.layers.get(layer).map(|l| l.diff_id.to_string());
        f
    }

    /// The config's `Healthcheck` and other Docker extensions, from the raw config.
    pub fn raw_config(&self) -> serde_json::Value {
        serde_json::from_slice(&self.image.config_raw).unwrap_or(serde_json::Value::Null)
    }

    /// The accounts of the image's own /etc/passwd and /etc/group, if present.
    pub fn accounts(&self) -> Option<&analyzers::Accounts> {
        let (real, _) = self.scan.fs.resolve("etc/passwd")?;
        self.scan
            .analysis(&real, self.accounts_analyzer)?
            .downcast_ref::<analyzers::AccountFile>()
            .and_then(|f| match f {
                analyzers::AccountFile::Passwd(a) => Some(a),
                _ => None,
            })
    }

    pub fn secret_file_accepted(&self, path: &str) -> bool {
        self.options.accept_files.iter().any(|pattern| {
            let pattern = pattern.trim_start_matches('/');
            glob::Pattern::new(pattern).is_ok_and(|p| p.matches(path)) || pattern == path
        })
    }

    pub fn key_accepted(&self, key: &str) -> bool {
        self.options
            .accept_keys
            .iter()
            .any(|k| k.eq_ignore_ascii_case(key))
    }
}

/// One audit rule.
pub trait Check: Sync {
    fn doc(&self) -> &'static RuleDoc;
    fn scanner(&self) -> Scanner;
    fn run(&self, ctx: &Context<'_>) -> Vec<Finding>;
}

/// The analyzers the checks need during the walk, for the chosen scanners.
/// Returns them with the index of the accounts and secret analyzers.
pub fn analyzers(scanners: &[Scanner]) -> Vec<Box<dyn Analyzer>> {
    let mut list: Vec<Box<dyn Analyzer>> = vec![Box::new(AccountsAnalyzer)];
    if scanners.contains(&Scanner::Secret) {
        list.push(Box::new(SecretAnalyzer));
    }
    list
}

/// Runs every check of the chosen scanners; findings sorted by severity
/// (highest first), rule, then path.
pub fn run(ctx: &Context<'_>, scanners: &[Scanner]) -> Vec<Finding> {
    let mut findings: Vec<Finding> = checks::ALL
        .iter()
        .filter(|c| scanners.contains(&c.scanner()))
        .flat_map(|c| c.run(ctx))
        .collect();
    findings.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.rule.cmp(&b.rule))
            .then_with(|| a.location.path.cmp(&b.location.path))
    });
    findings
}

/// The rule documents of every check.
pub fn rules() -> Vec<RuleDoc> {
    checks::ALL.iter().map(|c| c.doc().clone()).collect()
}

/// Severity helper for messages: "setuid", "setgid" or both.
pub fn special_bits(mode: u32) -> &'static str {
    match (mode & 0o4000 != 0, mode & 0o2000 != 0) {
        (true, true) => "setuid+setgid",
        (true, false) => "setuid",
        (false, true) => "setgid",
        (false, false) => "",
    }
}

/// `0o4755` → `4755`.
pub fn octal(mode: u32) -> String {
    format!("{:04o}", mode & 0o7777)
}

/// A history step as quoted in a finding message (PAL-IMG-011, 012): at
/// most 160 characters, secret-looking assignments and URL passwords
/// redacted, and not quoted at all when the secret scanner finds a secret
/// in it (a token in a header, a URL with credentials: PAL-IMG-019 reports
/// it, redacted).
pub fn quote_step(step: &str) -> String {
    if !secret::scan_value(None, step).is_empty() {
        return "(command not shown: it holds a secret)".to_string();
    }
    let redacted = redact_url_passwords(&palisade_model::redact_assignment(step));
    redacted.chars().take(160).collect()
}

/// `scheme://user:password@host` → `scheme://user:<redacted>@host`.
fn redact_url_passwords(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("://") {
        let (head, tail) = rest.split_at(i + 3);
        out.push_str(head);
        let authority_end = tail
            .find(|c: char| c == '/' || c.is_whitespace() || c == '\'' || c == '"')
            .unwrap_or(tail.len());
        let authority = &tail[..authority_end];
        match authority.rfind('@') {
            Some(at) if authority[..at].contains(':') => {
                let colon = authority[..at].find(':').expect("checked");
                out.push_str(&authority[..=colon]);
                out.push_str(palisade_model::REDACTED);
                out.push_str(&authority[at..]);
            }
            _ => out.push_str(authority),
        }
        rest = &tail[authority_end..];
    }
    out.push_str(rest);
    out
}

/// Highest severity among findings, for summaries.
pub fn highest(findings: &[Finding]) -> Option<Severity> {
    findings.iter().map(|f| f.severity).max()
}
