//! `palisade dockerfile PATH...`: lint Dockerfiles.

use crate::output;
use anyhow::{Context as _, Result, bail};
use clap::Args;
use palisade_dockerfile::lint::{LintOptions, lint, squash};
use palisade_dockerfile::rules::{RuleDoc, Settings, docs};
use palisade_model::{Finding, Location, Severity};
use palisade_report::{Format, Target, ignore::IgnoreFile};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::dockerfile_config::Config;
use super::dockerfile_table;

#[derive(Args, Debug)]
#[command(after_long_help = "\
Files: every PATH that is a file is linted; directories are searched (symlinks not followed) for \
Dockerfile, Dockerfile.*, *.Dockerfile, *.dockerfile, Containerfile and Containerfile.*.

Rules: `palisade dockerfile --list-rules`, docs/rules/dockerfile.md. Every rule names the same \
rule in hadolint (DLxxxx), Trivy (AVD-DS-xxxx) and the CIS Docker Benchmark; those ids work \
wherever a rule id is expected (--ignore, the config file, pragmas).

Inline pragmas: a comment `# palisade ignore=PAL-DF-015,DL3008` (or hadolint's \
`# hadolint ignore=DL3008`) ignores those rules on the next instruction.

Configuration (.palisade.yaml in the current directory, or --config FILE):
  dockerfile:
    ignore: [DL3008, PAL-DF-011]
    severity: {PAL-DF-017: MEDIUM}
    trusted_bases: [docker.io/library/, registry.example.com/base/]
    label_schema: {org.opencontainers.image.source: url}   # text url semver hash rfc3339 spdx email
    strict_labels: true
    rules:                                   # rules of your own (docs/dockerfile.md)
      - id: ORG-001
        severity: high
        message: pip must install from the internal index
        match: {command: [pip, pip3], args_missing: --index-url}
      - id: ORG-002
        message: base images come from registry.corp
        match: {image_not_matching: registry.corp/*}
  fail_on: HIGH

A rule with an error stops the run (exit code 2) with the line of the problem.

Exit codes: 0 no finding at or above --fail-on, --exit-code N (default 1) when there is one, \
2 when a file cannot be read or a flag is wrong. A file that does not parse is reported as \
finding PAL-DF-000.")]
pub struct DockerfileArgs {
    /// Dockerfiles or directories to search for them
    #[arg(value_name = "PATH", required_unless_present = "list_rules")]
    pub paths: Vec<PathBuf>,

    /// Output format
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Table)]
    pub format: Format,

    /// Write the report to FILE instead of standard output
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Exit with --exit-code when a finding is at or above SEVERITY
    #[arg(long, value_name = "SEVERITY")]
    pub fail_on: Option<Severity>,

    /// Exit code when --fail-on trips
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u8).range(1..))]
    pub exit_code: u8,

    /// Rule ids to ignore (ours or hadolint/Trivy ids), comma-separated
    #[arg(long, value_delimiter = ',', value_name = "ID")]
    pub ignore: Vec<String>,

    /// Trusted base images or registries (turns on PAL-DF-006); adds to the config file's list
    #[arg(long, value_name = "PATTERN")]
    pub trusted_base: Vec<String>,

    /// Configuration file (default: .palisade.yaml in the current directory, if present)
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// TOML ignore file shared with the other commands (see docs/ignore-file.md)
    #[arg(long, value_name = "FILE", env = "PALISADE_IGNORE_FILE")]
    pub ignore_file: Option<PathBuf>,

    /// Do not honour `# palisade ignore=` and `# hadolint ignore=` comments
    #[arg(long)]
    pub no_pragmas: bool,

    /// List the rules and exit
    #[arg(long)]
    pub list_rules: bool,
}

/// Files named like Dockerfiles.
fn is_dockerfile_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower == "dockerfile"
        || lower == "containerfile"
        || lower.starts_with("dockerfile.")
        || lower.starts_with("containerfile.")
        || lower.ends_with(".dockerfile")
}

/// Directories deeper than this are not searched (symlink-free trees are
/// finite, but a hostile tree can be very deep).
const MAX_DEPTH: usize = 64;

fn collect(path: &Path, depth: usize, out: &mut Vec<PathBuf>) -> Result<()> {
    let meta = std::fs::symlink_metadata(path).with_context(|| format!("{}", path.display()))?;
    if meta.is_dir() {
        if depth > MAX_DEPTH {
            eprintln!(
                "palisade: warning: {}: deeper than {MAX_DEPTH} directories, not searched",
                path.display()
            );
            return Ok(());
        }
        let mut entries: Vec<_> = std::fs::read_dir(path)
            .with_context(|| format!("{}", path.display()))?
            .filter_map(|e| e.ok())
            .collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let Ok(ft) = e.file_type() else { continue };
            if ft.is_dir() {
                collect(&e.path(), depth + 1, out)?;
            } else if ft.is_file() && is_dockerfile_name(&e.file_name().to_string_lossy()) {
                out.push(e.path());
            }
        }
    } else {
        // A path given by name is linted whatever it is called (symlinks followed here).
        out.push(path.to_path_buf());
    }
    Ok(())
}

/// Reads at most `MAX_FILE` + 1 bytes, so a huge file cannot exhaust memory.
fn read_bounded(path: &Path) -> Result<Vec<u8>> {
    use std::io::Read;
    let f = std::fs::File::open(path).with_context(|| format!("{}", path.display()))?;
    let mut data = Vec::new();
    f.take(palisade_dockerfile::parser::MAX_FILE as u64 + 1)
        .read_to_end(&mut data)
        .with_context(|| format!("{}", path.display()))?;
    Ok(data)
}

static PARSE_ERROR: RuleDoc = RuleDoc {
    id: "PAL-DF-000",
    title: "Dockerfile does not parse",
    severity: Severity::High,
    rationale: "BuildKit would reject this file (or it is not a Dockerfile): nothing else can be checked.",
    fix: "Fix the syntax error at the line shown.",
    bad: "FROM a\nRUN <<EOF\necho unterminated\n",
    good: "FROM a\nRUN <<EOF\necho ok\nEOF\n",
    peer_ids: &[],
};

/// The rule documents in the report crate's shape (for SARIF `rules`).
pub fn rule_docs() -> Vec<palisade_report::RuleDoc> {
    std::iter::once(&PARSE_ERROR)
        .chain(docs())
        .map(|d| palisade_report::RuleDoc {
            id: d.id,
            title: d.title,
            severity: d.severity,
            rationale: d.rationale,
            fix: d.fix,
            peer_ids: d.peer_ids,
            references: &[],
        })
        .collect()
}

fn list_rules() -> String {
    let mut s = String::from("ID          SEVERITY  SAME RULE ELSEWHERE               TITLE\n");
    for d in std::iter::once(&PARSE_ERROR).chain(docs()) {
        s.push_str(&format!(
            "{:<11} {:<9} {:<33} {}\n",
            d.id,
            d.severity.as_str(),
            d.peer_ids.join(","),
            d.title
        ));
    }
    s
}

pub fn run(args: DockerfileArgs) -> Result<ExitCode> {
    if args.list_rules {
        output::write(args.output.as_deref(), &list_rules())?;
        return Ok(ExitCode::SUCCESS);
    }
    let config = match &args.config {
        Some(p) => Config::load(p)?,
        None => {
            let default = Path::new(".palisade.yaml");
            if default.is_file() {
                Config::load(default)?
            } else {
                Config::default()
            }
        }
    };
    let ignore_file = match &args.ignore_file {
        Some(p) => Some(IgnoreFile::load(p)?),
        None => None,
    };
    let mut options = LintOptions {
        settings: Settings {
            trusted_bases: config.dockerfile.trusted_bases.clone(),
            label_schema: config.dockerfile.label_schema.clone(),
            strict_labels: config.dockerfile.strict_labels,
        },
        ignored: config.dockerfile.ignore.clone(),
        severity_overrides: config.dockerfile.severity.clone(),
        disable_pragmas: args.no_pragmas,
        custom: config.dockerfile.rules.clone(),
    };
    options
        .settings
        .trusted_bases
        .extend(args.trusted_base.iter().cloned());
    options.ignored.extend(args.ignore.iter().cloned());
    let fail_on = args.fail_on.or(config.fail_on);

    let mut files = Vec::new();
    for p in &args.paths {
        collect(p, 0, &mut files)?;
    }
    if files.is_empty() {
        bail!(
            "no Dockerfile found under {}",
            args.paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }

    let mut findings: Vec<Finding> = Vec::new();
    let mut suppressed: Vec<Finding> = Vec::new();
    let mut sources: Vec<(String, Vec<String>)> = Vec::new();
    let mut read_errors = 0usize;
    for file in &files {
        let input = file.display().to_string();
        let data = match read_bounded(file) {
            Ok(d) => d,
            Err(e) => {
                eprintln!("palisade: error: {e:#}");
                read_errors += 1;
                continue;
            }
        };
        match palisade_dockerfile::parse_bytes(&data) {
            Ok(df) => {
                let r = lint(&df, &input, &options);
                findings.extend(r.findings);
                suppressed.extend(r.suppressed);
                sources.push((input, df.source_lines));
            }
            Err(e) => findings.push(Finding {
                rule: PARSE_ERROR.id.into(),
                severity: PARSE_ERROR.severity,
                title: PARSE_ERROR.title.into(),
                message: e.message.clone(),
                location: Location {
                    input,
                    line: (e.line > 0).then_some(e.line),
                    ..Default::default()
                },
                fix: Some(squash(PARSE_ERROR.fix)),
                references: vec![],
                vulnerability: None,
            }),
        }
    }

    let today = palisade_report::ignore::today_utc();
    let (kept, mut ignored) = match &ignore_file {
        Some(file) => {
            for entry in file.expired(today) {
                eprintln!("palisade: warning: ignore entry expired and no longer applies: {entry}");
            }
            file.apply(findings, today)
        }
        None => (findings, Vec::new()),
    };
    ignored.extend(
        suppressed
            .into_iter()
            .map(|finding| palisade_report::Ignored {
                finding,
                reason: "inline pragma or configuration".into(),
                expires: None,
            }),
    );

    let target = Target {
        input: if files.len() == 1 {
            files[0].display().to_string()
        } else {
            format!("{} Dockerfiles", files.len())
        },
        kind: "dockerfile",
        digest: None,
        summary: vec![("Files".into(), files.len().to_string())],
    };
    let text = match args.format {
        Format::Table => dockerfile_table::render(&target, &kept, &ignored, &sources),
        f => {
            let mut docs = rule_docs();
            docs.extend(options.custom.iter().map(|r| palisade_report::RuleDoc {
                id: r.doc.id,
                title: r.doc.title,
                severity: r.doc.severity,
                rationale: r.doc.rationale,
                fix: r.doc.fix,
                peer_ids: &[],
                references: r.doc.peer_ids,
            }));
            palisade_report::render(f, &target, &kept, &ignored, &docs)
        }
    };
    output::write(args.output.as_deref(), &text)?;
    if read_errors > 0 {
        return Ok(ExitCode::from(crate::EXIT_INPUT_ERROR));
    }
    if palisade_report::gate::tripped(&kept, fail_on) {
        return Ok(ExitCode::from(args.exit_code));
    }
    Ok(ExitCode::SUCCESS)
}
