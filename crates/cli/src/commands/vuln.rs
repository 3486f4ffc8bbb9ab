//! The vulnerability scanner as `palisade image` and `palisade sbom-scan`
//! run it: open the database, match the inventory, turn matches into
//! findings, apply `--severity` and `--ignore-unfixed`.

use super::db_path::{age, now, resolve};
use anyhow::{Context, Result, bail};
use clap::Args;
use palisade_model::{Finding, Package, Severity};
use palisade_report::Ignored;
use palisade_vulndb::vex::Vex;
use palisade_vulndb::{Db, EcosystemOrder};
use std::io::Read;
use std::path::{Path, PathBuf};

#[derive(Args, Debug, Clone)]
pub struct VulnArgs {
    /// Vulnerability database (default: $PALISADE_DB, else
    /// $XDG_CACHE_HOME/palisade/vuln.db, else ~/.cache/palisade/vuln.db)
    #[arg(long, value_name = "FILE")]
    pub db: Option<PathBuf>,
    /// Report only vulnerabilities of these severities (comma-separated)
    #[arg(long, value_delimiter = ',', value_name = "LIST")]
    pub severity: Vec<Severity>,
    /// Leave out vulnerabilities that have no fixed version yet
    #[arg(long)]
    pub ignore_unfixed: bool,
    /// Fail (exit 2) when the database is older than this many days;
    /// otherwise an old database only gives a warning
    #[arg(long, value_name = "DAYS")]
    pub db_max_age: Option<u64>,
    /// OpenVEX document(s): statements with status not_affected or fixed
    /// suppress the vulnerability for the products (purls) they name, the
    /// justification shown as the reason; affected and under_investigation
    /// suppress nothing (repeatable)
    #[arg(long, value_name = "FILE")]
    pub vex: Vec<PathBuf>,
    /// List the suppressed findings (ignore file and VEX) with their
    /// reasons after the table (JSON always has them under "ignored")
    #[arg(long)]
    pub show_suppressed: bool,
    /// Informational advisories (RustSec unmaintained / unsound / notice,
    /// which cargo audit lists as warnings): warn = report them in their
    /// own "Warnings" section, marked "informational" in JSON, SARIF and
    /// CycloneDX, never counted by --fail-on; hide = leave them out;
    /// vuln = report them as vulnerabilities at their rated severity
    /// (usually UNKNOWN), counted by --fail-on like any other
    #[arg(long, value_enum, value_name = "MODE", default_value_t = Informational::Warn)]
    pub informational: Informational,
}

/// What `--informational` does with informational advisories.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Informational {
    /// Warnings: shown apart, never gated (cargo audit's default)
    Warn,
    /// Left out of the report
    Hide,
    /// Vulnerabilities like the others (gated by --fail-on)
    Vuln,
}

/// A database older than this gets a warning.
const WARN_AGE_DAYS: u64 = 7;

pub struct VulnOutcome {
    pub findings: Vec<Finding>,
    /// Findings a VEX statement suppressed, with its justification.
    pub suppressed: Vec<Ignored>,
    /// Summary lines for the report header.
    pub summary: Vec<(String, String)>,
}

/// Whether [`open_db`] would find a database (it may still be damaged).
pub fn db_available(args: &VulnArgs, demo_db: Option<&Path>) -> Result<bool> {
    Ok(args.db.is_some() || resolve(None)?.exists() || demo_db.is_some_and(|d| d.exists()))
}

/// Opens the database: the configured one, or, when there is none and
/// `demo_db` is given (the bundled demo image), the bundled demo database.
pub fn open_db(args: &VulnArgs, demo_db: Option<&Path>) -> Result<(Db, String)> {
    let path = resolve(args.db.as_deref())?;
    let (path, note) = if path.exists() || args.db.is_some() {
        (path, String::new())
    } else if let Some(demo) = demo_db.filter(|d| d.exists()) {
        eprintln!(
            "palisade: note: no vulnerability database at {}; using the bundled demo database {} (it covers only the demo image's packages)",
            path.display(),
            demo.display()
        );
        (demo.to_path_buf(), " (bundled demo database)".to_string())
    } else {
        bail!(
            "no vulnerability database at {}: get one with `palisade db update` (downloads osv.dev data) or `palisade db import PATH...` (offline, from osv.dev all.zip files); or leave out the vuln scanner with --scanners audit,secret",
            path.display()
        );
    };
    let db = Db::open(&path).context("opening the vulnerability database")?;
    let days = now().saturating_sub(db.meta.built) / 86_400;
    if let Some(max) = args.db_max_age
        && days > max
    {
        bail!(
            "the vulnerability database {} is {days} days old, more than --db-max-age {max}: run `palisade db update`",
            path.display()
        );
    }
    if days >= WARN_AGE_DAYS {
        eprintln!(
            "palisade: warning: the vulnerability database {} is {days} days old; run `palisade db update` for current advisories",
            path.display()
        );
    }
    let desc = format!(
        "{}{note}, built {} ago",
        path.display(),
        age(now().saturating_sub(db.meta.built))
    );
    Ok((db, desc))
}

pub fn scan(
    args: &VulnArgs,
    packages: &[Package],
    input: &str,
    demo_db: Option<&Path>,
) -> Result<VulnOutcome> {
    let vex = load_vex(&args.vex)?;
    let (db, desc) = open_db(args, demo_db)?;
    let report = palisade_vulndb::match_packages(&db, packages, &EcosystemOrder)?;
    let mut suppressed = Vec::new();
    let findings: Vec<Finding> = report
        .matches
        .iter()
        .filter(|m| !(args.ignore_unfixed && m.fixed.is_none()))
        .filter(|m| args.severity.is_empty() || args.severity.contains(&m.rating.severity))
        .filter(|m| !(args.informational == Informational::Hide && m.informational.is_some()))
        .map(|m| {
            let mut f = m.to_finding(input);
            if args.informational == Informational::Vuln
                && let Some(v) = f.vulnerability.as_deref_mut()
            {
                // The message still names the kind.
                v.informational = None;
            }
            f
        })
        .filter_map(|f| match vex.iter().find_map(|v| v.suppresses(&f)) {
            Some(reason) => {
                suppressed.push(Ignored {
                    finding: f,
                    reason,
                    expires: None,
                });
                None
            }
            None => Some(f),
        })
        .collect();
    let informational = report
        .matches
        .iter()
        .filter(|m| m.informational.is_some())
        .count();
    let mut summary = vec![
        ("Vulnerability DB".to_string(), desc),
        (
            "Vulnerabilities".to_string(),
            format!(
                "{} in {} packages scanned",
                report.matches.len() - informational,
                report.packages
            ),
        ),
    ];
    if informational > 0 {
        summary.push((
            "Informational".to_string(),
            format!(
                "{informational} informational advisories (unmaintained / unsound / notice): {}",
                match args.informational {
                    Informational::Warn => "reported as warnings, not gated",
                    Informational::Hide => "hidden (--informational hide)",
                    Informational::Vuln => "reported as vulnerabilities (--informational vuln)",
                }
            ),
        ));
    }
    for line in not_covered(&db, packages) {
        eprintln!("palisade: warning: {}", crate::output::printable(&line));
        summary.push(("Not checked".to_string(), line));
    }
    if !report.undetermined.is_empty() {
        summary.push((
            "Undetermined".to_string(),
            format!(
                "{} advisory ranges could not be evaluated (version order not available for these versions yet), e.g. {}",
                report.undetermined.len(),
                report.undetermined[0]
            ),
        ));
    }
    if !vex.is_empty() {
        summary.push((
            "VEX".to_string(),
            format!(
                "{} statements from {}; {} findings suppressed",
                vex.iter().map(|v| v.statements.len()).sum::<usize>(),
                vex.iter()
                    .map(|v| v.source.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                suppressed.len()
            ),
        ));
    }
    Ok(VulnOutcome {
        findings,
        suppressed,
        summary,
    })
}

/// One line per ecosystem that has packages but no advisories in the
/// database: those packages cannot match anything (a database imported
/// without that ecosystem, or an ecosystem osv.dev does not cover here).
fn not_covered(db: &Db, packages: &[Package]) -> Vec<String> {
    let mut missing: std::collections::BTreeMap<&str, Vec<&str>> = Default::default();
    for p in packages {
        if !db.meta.ecosystems.contains_key(&p.ecosystem) {
            missing.entry(&p.ecosystem).or_default().push(&p.name);
        }
    }
    missing
        .into_iter()
        .map(|(ecosystem, names)| {
            format!(
                "{} package{} of ecosystem {ecosystem} ({}{}): the database has no advisories for {ecosystem}",
                names.len(),
                if names.len() == 1 { "" } else { "s" },
                names.iter().take(5).copied().collect::<Vec<_>>().join(", "),
                if names.len() > 5 { ", ..." } else { "" }
            )
        })
        .collect()
}

fn load_vex(paths: &[PathBuf]) -> Result<Vec<Vex>> {
    paths
        .iter()
        .map(|p| {
            let name = crate::output::printable(&p.display().to_string());
            let mut bytes = Vec::new();
            std::fs::File::open(p)
                .and_then(|f| {
                    f.take(palisade_vulndb::vex::MAX_VEX + 1)
                        .read_to_end(&mut bytes)
                })
                .with_context(|| format!("reading the VEX document {name}"))?;
            Vex::parse(&bytes, &name).map_err(|e| anyhow::anyhow!("VEX document {name}: {e}"))
        })
        .collect()
}

/// `--show-suppressed` for the table: every suppressed finding with why.
pub fn suppressed_listing(ignored: &[Ignored]) -> String {
    let mut s = format!("\nSuppressed ({}):\n", ignored.len());
    for i in ignored {
        let what = match i.finding.vulnerability.as_deref() {
            Some(v) => format!("{} {} {}", v.id, v.package, v.installed_version),
            None => format!(
                "{} {}",
                i.finding.rule,
                i.finding.location.path.as_deref().unwrap_or("")
            ),
        };
        let expires = i
            .expires
            .as_deref()
            .map(|e| format!(" (until {e})"))
            .unwrap_or_default();
        s.push_str(&format!(
            "  {}: {}{expires}\n",
            crate::output::printable(&what),
            crate::output::printable(&i.reason)
        ));
    }
    s
}
