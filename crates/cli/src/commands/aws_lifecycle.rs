//! `palisade aws lifecycle preview`: which images an ECR lifecycle policy
//! expires, evaluated offline with ECR's rules.

use super::aws_lifecycle_history::{self as history, History};
use crate::output;
use anyhow::{Context, Result, bail};
use clap::Args;
use palisade_aws::lifecycle::{self, Action, Image, Outcome};
use palisade_image::source::registry::client::Client;
use palisade_image::source::registry::tagged_images;
use palisade_image::{ImageRef, OpenOptions, RegistryRef};
use std::fmt::Write as _;
use std::io::{BufRead, Read};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Largest describe-images output read (about 100 000 images).
const MAX_SOURCE_BYTES: u64 = 256 << 20;

#[derive(Args, Debug)]
pub struct PreviewArgs {
    /// Lifecycle policy JSON (the policy, or what `aws ecr get-lifecycle-policy` prints)
    #[arg(long, value_name = "FILE")]
    pub policy: PathBuf,
    /// Saved `aws ecr describe-images --repository-name REPO` output (pages
    /// may be merged into one imageDetails array), or a registry repository
    /// docker://HOST/REPO: tags from the tags/list API, images grouped by
    /// digest, and — registries record no push time — the image config's
    /// `created` time as the push time
    #[arg(value_name = "SOURCE")]
    pub source: String,
    /// Allow plain HTTP and unverified TLS for the registry (loopback
    /// registries may always use plain HTTP)
    #[arg(long)]
    pub insecure: bool,
    /// Evaluate as of this time (RFC 3339 or epoch seconds; default: now),
    /// for reproducible previews
    #[arg(long, value_name = "TIME")]
    pub now: Option<String>,
    /// Registry sources: remember in FILE (JSON, created if missing) every
    /// digest a tag pointed at, so that images whose tag moved on are found
    /// again as untagged images (the distribution API cannot list
    /// untagged manifests). Use the same FILE on every run
    #[arg(long, value_name = "FILE")]
    pub history: Option<PathBuf>,
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

/// The repository of a `docker://HOST/REPO` source (no tag or digest).
fn registry_repository(source: &str) -> Result<RegistryRef> {
    match ImageRef::parse(source)? {
        ImageRef::Registry(r) if r.tag.is_none() && r.digest.is_none() => Ok(r),
        ImageRef::Registry(_) => bail!("{source}: give the repository without a tag or digest"),
        _ => bail!("{source}: not a registry repository"),
    }
}

/// Images of a registry repository, one per digest with all its tags.
fn registry_images(source: &str, insecure: bool) -> Result<(Client, Vec<Image>)> {
    let r = registry_repository(source)?;
    let mut options = OpenOptions::default();
    options.registry.insecure = insecure;
    let (client, tagged) = tagged_images(source, &r, &options)?;
    let mut images: Vec<Image> = Vec::new();
    for t in tagged {
        let digest = t.digest.to_string();
        if let Some(img) = images.iter_mut().find(|i| i.digest == digest) {
            img.tags.push(t.tag);
            continue;
        }
        let created = t.created.as_deref().unwrap_or_default();
        let pushed_at = palisade_aws::condition::date(created)
            .map(|f| f as i64)
            .with_context(|| {
                format!(
                    "{source}:{}: the image config has no usable `created` time ({created:?})",
                    t.tag
                )
            })?;
        images.push(Image {
            digest,
            tags: vec![t.tag],
            pushed_at,
            last_pulled_at: None,
            storage_class: "standard".into(),
        });
    }
    Ok((client, images))
}

struct Plan {
    policy: lifecycle::LifecyclePolicy,
    images: Vec<Image>,
    outcomes: Vec<Outcome>,
    now: i64,
    client: Option<Client>,
    /// The updated tag history, to be saved.
    history: Option<History>,
}

fn plan(
    policy_path: &Path,
    source: &str,
    now_arg: Option<&str>,
    insecure: bool,
    history_path: Option<&Path>,
) -> Result<Plan> {
    let policy_text = read_bounded(policy_path, 1 << 20)?;
    let policy = lifecycle::parse(&policy_text, &policy_path.display().to_string())?;
    let mut history = None;
    let (client, images) = if source.starts_with("docker://") {
        let (c, mut i) = registry_images(source, insecure)?;
        if let Some(path) = history_path {
            let repository = source.trim_start_matches("docker://");
            let old = history::load(path, repository)?;
            history = Some(history::untagged(&c, &old, &mut i)?);
        }
        (Some(c), i)
    } else if history_path.is_some() {
        bail!("--history is for registry sources (docker://HOST/REPO)");
    } else {
        let path = Path::new(source);
        let images = lifecycle::describe_images::parse(&read_bounded(path, MAX_SOURCE_BYTES)?)
            .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        (None, images)
    };
    let now = now(now_arg)?;
    let outcomes = lifecycle::preview(&policy, &images, now);
    Ok(Plan {
        policy,
        images,
        outcomes,
        now,
        client,
        history,
    })
}

pub fn run_preview(args: PreviewArgs) -> Result<ExitCode> {
    let Plan {
        policy,
        images,
        outcomes,
        now,
        history,
        ..
    } = plan(
        &args.policy,
        &args.source,
        args.now.as_deref(),
        args.insecure,
        args.history.as_deref(),
    )?;
    if let (Some(path), Some(h)) = (&args.history, &history) {
        history::save(path, h)?;
    }
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

#[derive(Args, Debug)]
pub struct ApplyArgs {
    /// Lifecycle policy JSON
    #[arg(long, value_name = "FILE")]
    pub policy: PathBuf,
    /// Registry repository, docker://HOST/REPO (the registry must allow deletion)
    #[arg(value_name = "docker://HOST/REPO")]
    pub source: String,
    /// Delete without asking
    #[arg(long)]
    pub yes: bool,
    /// Evaluate as of this time (RFC 3339 or epoch seconds; default: now)
    #[arg(long, value_name = "TIME")]
    pub now: Option<String>,
    /// Allow plain HTTP and unverified TLS for the registry
    #[arg(long)]
    pub insecure: bool,
    /// Registry sources: remember in FILE (JSON, created if missing) every
    /// digest a tag pointed at, so that images whose tag moved on are found
    /// again as untagged images (the distribution API cannot list
    /// untagged manifests). Use the same FILE on every run
    #[arg(long, value_name = "FILE")]
    pub history: Option<PathBuf>,
}

pub fn run_apply(args: ApplyArgs) -> Result<ExitCode> {
    if !args.source.starts_with("docker://") {
        bail!(
            "{}: apply needs a registry repository, docker://HOST/REPO",
            args.source
        );
    }
    let Plan {
        images,
        outcomes,
        now,
        client,
        mut history,
        ..
    } = plan(
        &args.policy,
        &args.source,
        args.now.as_deref(),
        args.insecure,
        args.history.as_deref(),
    )?;
    if let (Some(path), Some(h)) = (&args.history, &history) {
        history::save(path, h)?;
    }
    let Some(client) = client else {
        bail!("{}: not a registry", args.source)
    };
    let expired: Vec<&Outcome> = outcomes
        .iter()
        .filter(|o| o.action == Action::Expire)
        .collect();
    print!("{}", table(&images, &outcomes, now));
    if outcomes.iter().any(|o| o.action == Action::Transition) {
        eprintln!(
            "palisade: note: transition actions (ECR archive storage) have no registry equivalent and are not applied"
        );
    }
    if expired.is_empty() {
        println!("nothing to delete");
        return Ok(ExitCode::SUCCESS);
    }
    if !args.yes && !confirm(expired.len())? {
        println!("nothing deleted");
        return Ok(ExitCode::SUCCESS);
    }
    // Re-read the tags right before deleting: a digest a kept tag points at
    // (now, not only when the plan was made) is never deleted.
    let (_, fresh) = registry_images(&args.source, args.insecure)?;
    let mut deleted = 0;
    for o in &expired {
        let digest = o.image.digest.as_str();
        let no_tags = Vec::new();
        let now_tags = match fresh.iter().find(|i| i.digest == digest) {
            Some(i) => &i.tags,
            // Untagged when planned and still untagged: expire it.
            None if o.image.tags.is_empty() => &no_tags,
            None => {
                eprintln!("palisade: {digest} is no longer tagged in the registry; left alone");
                continue;
            }
        };
        let kept_tags: Vec<&str> = now_tags
            .iter()
            .map(String::as_str)
            .filter(|t| !o.image.tags.iter().any(|x| x == t))
            .collect();
        if !kept_tags.is_empty() {
            eprintln!(
                "palisade: kept {digest}: also tagged {} now",
                kept_tags.join(", ")
            );
            continue;
        }
        client.delete_manifest(digest)?;
        deleted += 1;
        if let Some(h) = history.as_mut() {
            h.images.retain(|r| r.digest != digest);
        }
        println!(
            "deleted {digest} ({})",
            if o.image.tags.is_empty() {
                "<untagged>".to_string()
            } else {
                o.image.tags.join(",")
            }
        );
    }
    if let (Some(path), Some(h)) = (&args.history, &history) {
        history::save(path, h)?;
    }
    println!("{deleted} of {} expired manifests deleted", expired.len());
    Ok(ExitCode::SUCCESS)
}

/// Asks on the terminal; anything but y/yes declines. Without a terminal
/// (stdin closed), declines.
fn confirm(n: usize) -> Result<bool> {
    eprint!("Delete {n} manifests from the registry? [y/N] ");
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .take(256)
        .read_line(&mut answer)
        .ok();
    let a = answer.trim().to_ascii_lowercase();
    Ok(a == "y" || a == "yes")
}
