//! `palisade harden REF --output DEST`: defang an image and write it back
//! (OCI layout, docker-archive or registry), then read the result again to
//! verify every digest and audit it, and print a before/after summary.

use super::image_args::ImageArgs;
use crate::output::{self, Format};
use anyhow::{Context as _, Result, bail};
use clap::Args;
use palisade_audit::{AuditOptions, Context, Scanner};
use palisade_harden::{Options, transforms::user::UserSpec};
use palisade_image::write::{Destination, WriteOptions};
use palisade_image::{Analyzer, Image, ImageRef, Scan, WalkOptions};
use palisade_model::Finding;
use std::collections::{BTreeSet, HashMap};
use std::process::ExitCode;

#[derive(Args, Debug)]
#[command(
    after_long_help = "Default transforms: strip SETUID/SETGID from every regular file and remove \
package caches and index lists. Without --squash the changes go into one new top layer (a mode change \
re-adds the file, a removal is a whiteout), so the lower layers still ship the old bytes; --squash writes \
one layer with only the final files. Output is reproducible: the same input and options give the same \
bytes (set SOURCE_DATE_EPOCH to fix the new entries' time; the default is the input's `created`).\n\n\
Examples:\n  palisade harden oci:./app:latest --output oci:./app-hardened:latest\n  \
palisade harden docker://127.0.0.1:5000/app:1 --remove-shells --remove nc,curl,wget --user 65532:65532 \\\n      \
--output docker://127.0.0.1:5000/app:1-hardened\n\nSee docs/harden.md."
)]
pub struct HardenArgs {
    #[command(flatten)]
    pub image: ImageArgs,

    /// Where to write the result: oci:DIR[:TAG], docker-archive:FILE[:NAME:TAG]
    /// or docker://HOST/REPO:TAG. Refused if it exists, unless --force
    #[arg(long, short = 'o', value_name = "DEST")]
    pub output: String,

    /// Remove these programs from the bin directories (comma-separated names, e.g. nc,curl,wget)
    #[arg(long, value_delimiter = ',', value_name = "NAMES")]
    pub remove: Vec<String>,

    /// Remove shells (sh, bash, dash, ash, zsh, …, busybox): the audit's list
    #[arg(long)]
    pub remove_shells: bool,

    /// Remove package managers (apt, apt-get, dpkg, apk, yum, dnf, rpm, pip, npm, …)
    #[arg(long)]
    pub remove_package_managers: bool,

    /// Run as this non-root user, UID[:GID] (e.g. 65532:65532); adds /etc/passwd
    /// and /etc/group entries when the ids have none
    #[arg(long, value_name = "UID[:GID]")]
    pub user: Option<UserSpec>,

    /// Keep SETUID/SETGID bits (stripped by default)
    #[arg(long)]
    pub keep_setuid: bool,

    /// Keep package caches and index lists (removed by default)
    #[arg(long)]
    pub keep_caches: bool,

    /// Write the final filesystem as one layer instead of adding a layer on top
    #[arg(long)]
    pub squash: bool,

    /// Replace an existing output, and remove programs even when the
    /// entrypoint, cmd or healthcheck needs them
    #[arg(long)]
    pub force: bool,

    /// Registry pushes: blobs larger than this many bytes go up in chunks
    #[arg(long, value_name = "BYTES", default_value_t = 16 << 20)]
    pub chunk_size: u64,

    /// Summary format
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Table)]
    pub format: Format,

    /// Directory for the new layer while it is built (default: $TMPDIR)
    #[arg(long, value_name = "DIR")]
    pub work_dir: Option<std::path::PathBuf>,

    /// No progress bars
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// The audit's findings, keyed by rule and path, for the comparison.
fn audit(input: &str, reference: &ImageRef, image: &Image, scan: &Scan) -> Vec<Finding> {
    let options = AuditOptions::default();
    let owners = HashMap::new();
    let ctx = Context {
        input,
        reference,
        image,
        scan,
        options: &options,
        owners: &owners,
        accounts_analyzer: 0,
        secret_analyzer: None,
    };
    palisade_audit::run(&ctx, &[Scanner::Audit])
}

fn key(f: &Finding) -> (String, String) {
    (f.rule.clone(), f.location.path.clone().unwrap_or_default())
}

#[derive(serde::Serialize)]
struct Report<'a> {
    input: &'a str,
    output: &'a str,
    manifest_digest: String,
    summary: &'a palisade_harden::Summary,
    changes: Vec<Change>,
    forced: &'a [String],
    findings_before: usize,
    findings_after: usize,
    findings_removed: Vec<String>,
    findings_new: Vec<String>,
    blobs_written: usize,
    blobs_skipped: usize,
    blobs_mounted: usize,
}

#[derive(serde::Serialize)]
struct Change {
    path: String,
    change: String,
}

pub fn run(args: HardenArgs) -> Result<ExitCode> {
    let dest = Destination::parse(&args.output)?;
    let source_ref = args.image.image_ref()?;
    // The input is never modified: refuse to write over it, even with --force.
    if let (Some(out), ImageRef::Oci { dir: src, .. } | ImageRef::DockerArchive { file: src, .. }) =
        (dest.local_path(), &source_ref)
        && let (Ok(a), Ok(b)) = (std::fs::canonicalize(out), std::fs::canonicalize(src))
        && a == b
    {
        bail!(
            "--output {}: that is the input; write the hardened image elsewhere",
            args.output
        );
    }
    if let (Destination::Registry(d), ImageRef::Registry(s)) = (&dest, &source_ref)
        && d.registry == s.registry
        && d.repository == s.repository
        && d.tag == s.tag
        && s.digest.is_none()
    {
        bail!(
            "--output {}: that is the input tag; push the hardened image to another tag",
            args.output
        );
    }
    let options =
        Options {
            strip_setuid: !args.keep_setuid,
            remove_caches: !args.keep_caches,
            remove: args
                .remove
                .iter()
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect(),
            remove_shells: args.remove_shells,
            remove_package_managers: args.remove_package_managers,
            user: args.user,
            squash: args.squash,
            force: args.force,
            source_date_epoch: match std::env::var("SOURCE_DATE_EPOCH") {
                Ok(v) if !v.is_empty() => Some(v.trim().parse().with_context(|| {
                    format!("SOURCE_DATE_EPOCH={v:?} is not a number of seconds")
                })?),
                _ => None,
            },
        };
    let analyzers_owned = palisade_audit::analyzers(&[Scanner::Audit]);
    let analyzers: Vec<&dyn Analyzer> = analyzers_owned.iter().map(|a| a.as_ref()).collect();
    let (reference, image, scan) = args.image.open_and_walk(&analyzers, args.quiet, true)?;
    let before = audit(&args.image.reference, &reference, &image, &scan);

    let hardened = palisade_harden::harden(&image, &scan, &options, args.work_dir.as_deref())?;
    for why in &hardened.forced {
        eprintln!("palisade: warning: --force: {why}");
    }
    let open_options = args.image.open_options()?;
    let write_options = WriteOptions {
        force: args.force,
        registry: open_options.registry.clone(),
        chunk_size: args.chunk_size,
        mtime: options.source_date_epoch.unwrap_or(0),
    };
    let written = palisade_image::write::write(&hardened.image, &dest, &write_options)?;

    // Read the result back: the walk verifies every blob digest and diff-id.
    let out_ref = dest.image_ref();
    let out_image = palisade_image::open(&out_ref, &open_options)
        .with_context(|| format!("reading back {}", args.output))?;
    if let Some(d) = &out_image.manifest_digest
        && d != &written.manifest_digest
    {
        bail!(
            "{}: read back manifest {d}, but {} was written",
            args.output,
            written.manifest_digest
        );
    }
    let walk_options = WalkOptions {
        limits: args.image.limits(),
        threads: args.image.threads,
        progress: None,
        verify_diff_ids: true,
    };
    let out_scan = palisade_image::walk(&out_image, &analyzers, &walk_options)
        .with_context(|| format!("verifying {}", args.output))?;
    let after = audit(&args.output, &out_ref, &out_image, &out_scan);

    let after_keys: BTreeSet<_> = after.iter().map(key).collect();
    let before_keys: BTreeSet<_> = before.iter().map(key).collect();
    let describe = |f: &Finding| {
        format!(
            "{} {} {}",
            f.rule,
            f.location.path.as_deref().unwrap_or("-"),
            output::printable(&f.title)
        )
    };
    let removed: Vec<String> = before
        .iter()
        .filter(|f| !after_keys.contains(&key(f)))
        .map(describe)
        .collect();
    let new: Vec<String> = after
        .iter()
        .filter(|f| !before_keys.contains(&key(f)))
        .map(describe)
        .collect();
    let plan = &hardened.plan;
    let mut changes: Vec<Change> = Vec::new();
    for (p, (old, new)) in &plan.modes {
        changes.push(Change {
            path: format!("/{p}"),
            change: format!("mode {:04o} -> {:04o}", old & 0o7777, new & 0o7777),
        });
    }
    for (p, why) in &plan.removals {
        changes.push(Change {
            path: format!("/{p}"),
            change: format!("removed ({why})"),
        });
    }
    for p in plan.writes.keys() {
        changes.push(Change {
            path: format!("/{p}"),
            change: "written (new user entry)".into(),
        });
    }
    changes.sort_by(|a, b| a.path.cmp(&b.path));
    let report = Report {
        input: &args.image.reference,
        output: &args.output,
        manifest_digest: written.manifest_digest.to_string(),
        summary: &hardened.summary,
        changes,
        forced: &hardened.forced,
        findings_before: before.len(),
        findings_after: after.len(),
        findings_removed: removed,
        findings_new: new,
        blobs_written: written.blobs_written,
        blobs_skipped: written.blobs_skipped,
        blobs_mounted: written.blobs_mounted,
    };
    let text = match args.format {
        Format::Json => output::json(&report)?,
        Format::Table => table(&report),
    };
    output::write(None, &text)?;
    Ok(ExitCode::SUCCESS)
}

fn table(r: &Report<'_>) -> String {
    let s = r.summary;
    let h = output::human_bytes;
    let mut t = output::table();
    let rows: Vec<(&str, String)> = vec![
        ("Input", output::printable(r.input)),
        (
            "Output",
            format!("{} ({})", output::printable(r.output), r.manifest_digest),
        ),
        (
            "Files changed",
            format!(
                "{} setuid/setgid stripped, {} removed, {} written",
                s.setuid_stripped, s.removed, s.files_written
            ),
        ),
        ("User", s.user.clone().unwrap_or_else(|| "unchanged".into())),
        (
            "Layers",
            format!(
                "{} -> {}{}",
                s.layers_before,
                s.layers_after,
                if s.squash { " (squashed)" } else { "" }
            ),
        ),
        (
            "Size (compressed)",
            format!(
                "{} -> {} ({:+} bytes)",
                h(s.size_before),
                h(s.size_after),
                s.size_after as i64 - s.size_before as i64
            ),
        ),
        (
            "Size (uncompressed)",
            format!(
                "{} -> {}",
                h(s.uncompressed_before),
                h(s.uncompressed_after)
            ),
        ),
        (
            "New layer",
            match (s.new_layer_size, s.new_layer_uncompressed) {
                (Some(c), Some(u)) => format!("{} compressed, {} uncompressed", h(c), h(u)),
                _ => "none (config only)".into(),
            },
        ),
        ("Package caches removed", h(s.cache_bytes_removed)),
        (
            "Findings",
            format!(
                "{} -> {} ({} removed, {} new)",
                r.findings_before,
                r.findings_after,
                r.findings_removed.len(),
                r.findings_new.len()
            ),
        ),
        (
            "Blobs",
            format!(
                "{} written, {} already present, {} mounted",
                r.blobs_written, r.blobs_skipped, r.blobs_mounted
            ),
        ),
    ];
    for (k, v) in rows {
        t.add_row(vec![k.to_string(), v]);
    }
    let mut out = format!("{t}\n");
    let section = |out: &mut String, title: &str, items: &[String]| {
        if !items.is_empty() {
            out.push_str(&format!("\n{title}:\n"));
            for i in items {
                out.push_str(&format!("  {i}\n"));
            }
        }
    };
    let changes: Vec<String> = r
        .changes
        .iter()
        .map(|c| format!("{}  {}", output::printable(&c.path), c.change))
        .collect();
    section(&mut out, "Changes", &changes);
    section(&mut out, "Findings removed", &r.findings_removed);
    section(&mut out, "Findings new", &r.findings_new);
    section(&mut out, "Forced (the image may not start)", r.forced);
    out
}
