//! `palisade aws lifecycle preview`: which images an ECR lifecycle policy
//! expires, evaluated offline with ECR's rules.

use crate::output;
use anyhow::{Context, Result, bail};
use clap::Args;
use palisade_aws::lifecycle::{self, Image, Outcome};
use std::fmt::Write as _;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Largest describe-images output read (about 100 000 images).
const MAX_SOURCE_BYTES: u64 = 256 << 20;

#[derive(Args, Debug)]
pub struct PreviewArgs {
    /// Lifecycle policy JSON (the policy, or what `aws ecr get-lifecycle-policy` prints)
    #[arg(long, value_name = "FILE")]
    pub policy: PathBuf,
    /// Saved `aws ecr describe-images --repository-name REPO` output
    /// (pages may be merged into one imageDetails array)
    #[arg(value_name = "SOURCE")]
    pub source: String,
    /// Evaluate as of this time (RFC 3339 or epoch seconds; default: now),
    /// for reproducible previews
    #[arg(long, value_name = "TIME")]
    pub now: Option<String>,
    /// Output format
    #[arg(long, short = 'f', value_enum, default_value_t = output::Format::Table)]
    pub format: output::Format,
}

fn read_bounded(path: &Path, max: u64) -> Result<String> {
    let mut text = String::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(max + 1).read_to_string(&mut text))
        .with_context(|| format!("reading {}", path.display()))?;
    if text.len() as u64 > max {
        bail!("{}: larger than {max} bytes", path.display());
    }
    Ok(text)
}

pub fn now(arg: Option<&str>) -> Result<i64> {
    match arg {
        Some(t) => palisade_aws::condition::date(t)
            .map(|f| f as i64)
            .with_context(|| format!("--now {t:?}: not an RFC 3339 time or epoch seconds")),
        None => Ok(std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0)),
    }
}

pub fn run_preview(args: PreviewArgs) -> Result<ExitCode> {
    let policy_text = read_bounded(&args.policy, 1 << 20)?;
    let policy = lifecycle::parse(&policy_text, &args.policy.display().to_string())?;
    if args.source.starts_with("docker://") {
        bail!(
            "{}: registry sources are not implemented yet; save `aws ecr describe-images` output and pass the file",
            args.source
        );
    }
    let path = Path::new(&args.source);
    let images = lifecycle::describe_images::parse(&read_bounded(path, MAX_SOURCE_BYTES)?)
        .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    let now = now(args.now.as_deref())?;
    let outcomes = lifecycle::preview(&policy, &images, now);
    let text = match args.format {
        output::Format::Json => output::json(&serde_json::json!({
            "source": args.source,
            "now": now,
            "images": images.len(),
            "rules": policy.rules,
            "actions": outcomes,
        }))?,
        output::Format::Table => table(&images, &outcomes, now),
    };
    output::write(None, &text)?;
    Ok(ExitCode::SUCCESS)
}

fn table(images: &[Image], outcomes: &[Outcome], now: i64) -> String {
    let mut s = String::new();
    let mut t = output::table();
    t.set_header(vec![
        "ACTION",
        "RULE",
        "DIGEST",
        "TAGS",
        "PUSHED (DAYS AGO)",
        "RULE DESCRIPTION",
    ]);
    for o in outcomes {
        let days = (now - o.image.pushed_at) / 86_400;
        t.add_row(vec![
            format!("{:?}", o.action).to_lowercase(),
            o.rule_priority.to_string(),
            output::printable(&o.image.digest),
            output::printable(&if o.image.tags.is_empty() {
                "<untagged>".to_string()
            } else {
                o.image.tags.join(",")
            }),
            days.to_string(),
            output::printable(o.rule_description.as_deref().unwrap_or("")),
        ]);
    }
    if !outcomes.is_empty() {
        let _ = writeln!(s, "{t}");
    }
    let _ = writeln!(s, "{} of {} images acted on", outcomes.len(), images.len());
    s
}
