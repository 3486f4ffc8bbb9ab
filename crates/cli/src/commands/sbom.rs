//! `palisade sbom REF`: the packages installed in an image or rootfs, as
//! a table, palisade JSON, CycloneDX 1.6 or SPDX 2.3.

use super::image_args::ImageArgs;
use super::report_args::GateArgs;
use crate::output::{self, printable};
use anyhow::Result;
use clap::Args;

use palisade_catalog::Sbom;
use palisade_catalog::os::OsInfo;
use palisade_image::Analyzer;
use palisade_model::Package;
use serde::Serialize;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args, Debug)]
pub struct SbomArgs {
    #[command(flatten)]
    pub image: ImageArgs,

    /// Output format
    #[arg(long, short = 'f', value_enum, default_value_t = SbomFormat::Table)]
    pub format: SbomFormat,

    /// Write the inventory to FILE instead of standard output
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// No progress bars
    #[arg(long, short = 'q')]
    pub quiet: bool,

    /// With --format cyclonedx: match the packages against the
    /// vulnerability database (see `palisade db`) and add a CycloneDX
    /// `vulnerabilities` list (affects → the component's bom-ref, ratings,
    /// advisories, the fixed version as recommendation)
    #[arg(long)]
    pub vulns: bool,

    #[command(flatten)]
    pub vuln: super::vuln::VulnArgs,

    // With --vulns: the ignore file and the gate, as `palisade image`
    // applies them (suppressed vulnerabilities are left out of the
    // document and counted on stderr).
    #[command(flatten)]
    pub gate: super::report_args::GateArgs,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum SbomFormat {
    /// Human-readable table
    Table,
    /// palisade's own JSON, with locations, files and warnings
    Json,
    /// CycloneDX 1.6 JSON
    Cyclonedx,
    /// SPDX 2.3 JSON
    Spdx,
}

#[derive(Serialize)]
struct ImageInfo {
    reference: String,
    digest: Option<String>,
}

#[derive(Serialize)]
struct Report<'a> {
    image: ImageInfo,
    os: &'a Option<OsInfo>,
    packages: &'a [Package],
    warnings: Vec<String>,
}

pub fn run(args: SbomArgs) -> Result<ExitCode> {
    if args.vulns && args.format != SbomFormat::Cyclonedx {
        anyhow::bail!(
            "--vulns adds vulnerabilities to CycloneDX output: use it with --format cyclonedx (`palisade image --scanners vuln` reports them in the other formats)"
        );
    }
    let vuln_flags =
        args.gate.fail_on.is_some() || args.gate.ignore_file.is_some() || !args.vuln.vex.is_empty();
    if vuln_flags && !args.vulns {
        anyhow::bail!(
            "--fail-on, --ignore-file and --vex apply to vulnerabilities: add --vulns (with --format cyclonedx)"
        );
    }
    let ignore = if args.vulns {
        args.gate.load_ignore()?
    } else {
        None
    };
    let boxed = palisade_catalog::analyzers();
    let analyzers: Vec<&dyn Analyzer> = boxed.iter().map(|a| a.as_ref()).collect();
    let (_reference, image, scan) = args.image.open_and_walk(&analyzers, args.quiet, false)?;
    let sbom = palisade_catalog::build(&scan, 0);
    // Analyzer errors the walk recorded on the catalogers' files.
    let mut warnings: Vec<String> = scan
        .layers
        .iter()
        .flat_map(|l| l.warnings.iter())
        .filter(|w| w.starts_with("catalog-"))
        .cloned()
        .collect();
    warnings.extend(sbom.warnings.iter().cloned());
    let info = ImageInfo {
        reference: args.image.reference.clone(),
        digest: image.manifest_digest.as_ref().map(|d| d.to_string()),
    };
    let mut kept = Vec::new();
    let text = match args.format {
        SbomFormat::Json => output::json(&Report {
            image: info,
            os: &sbom.os,
            packages: &sbom.packages,
            warnings,
        })?,
        SbomFormat::Table => table(&info, &sbom, &warnings),
        SbomFormat::Cyclonedx | SbomFormat::Spdx => {
            // The standard formats have no place for them.
            for w in &warnings {
                eprintln!("Warning: {}", printable(w));
            }
            let vulns = if args.format == SbomFormat::Cyclonedx && args.vulns {
                let outcome = super::vuln::scan(&args.vuln, &sbom.packages, &info.reference, None)?;
                let (k, ignored) =
                    GateArgs::apply(ignore.as_ref(), outcome.findings, outcome.suppressed);
                if !ignored.is_empty() {
                    eprintln!(
                        "palisade: {} vulnerabilities suppressed by the ignore file or VEX, left out of the document",
                        ignored.len()
                    );
                }
                kept = k;
                Some(kept.as_slice())
            } else {
                None
            };
            standard_document(&info.reference, &image, &sbom, args.format, vulns)
        }
    };
    output::write(args.output.as_deref(), &text)?;
    Ok(args.gate.exit(&kept))
}

/// The SBOM as CycloneDX 1.6 or SPDX 2.3 JSON (`format` is one of those
/// two), with the scan's vulnerabilities in CycloneDX when given; also
/// the predicate of `palisade attest --type cyclonedx|spdx`.
pub fn standard_document(
    reference: &str,
    image: &palisade_image::Image,
    sbom: &Sbom,
    format: SbomFormat,
    vulnerabilities: Option<&[palisade_model::Finding]>,
) -> String {
    // The image's own creation time keeps the document reproducible;
    // without one (or an unreadable one) it is the current time.
    let created = image
        .config
        .created()
        .as_deref()
        .and_then(palisade_report::cyclonedx::normalize_timestamp)
        .unwrap_or_else(palisade_report::cyclonedx::now_timestamp);
    let digest = image.manifest_digest.as_ref().map(|d| d.to_string());
    let doc = palisade_report::SbomDoc {
        name: reference,
        digest: digest.as_deref(),
        os: sbom
            .os
            .as_ref()
            .map(|o| (o.id.as_str(), o.version_id.as_deref().unwrap_or(""))),
        packages: &sbom.packages,
        created: &created,
    };
    if format == SbomFormat::Cyclonedx {
        match vulnerabilities {
            Some(found) => palisade_report::cyclonedx::render_with_vulnerabilities(&doc, found),
            None => palisade_report::cyclonedx::render(&doc),
        }
    } else {
        palisade_report::spdx::render(&doc)
    }
}

fn table(info: &ImageInfo, sbom: &Sbom, warnings: &[String]) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "Image: {}", printable(&info.reference));
    if let Some(d) = &info.digest {
        let _ = writeln!(s, "Digest: {d}");
    }
    let os = match &sbom.os {
        Some(os) => {
            format!(
                "{} ({})",
                printable(os.pretty_name.as_deref().unwrap_or(&format!(
                    "{} {}",
                    os.id,
                    os.version_id.as_deref().unwrap_or("")
                ))),
                os.osv_ecosystem.as_deref().unwrap_or("no OSV ecosystem"),
            ) + if os.distroless { ", distroless" } else { "" }
        }
        None => "unknown (no os-release or release file)".to_string(),
    };
    let _ = writeln!(s, "OS: {os}");
    let _ = writeln!(s, "Packages: {}", sbom.packages.len());
    if !sbom.packages.is_empty() {
        let mut t = output::table();
        t.set_header(vec!["NAME", "VERSION", "ARCH", "SOURCE", "ECOSYSTEM"]);
        for p in &sbom.packages {
            let source = match (&p.source_name, &p.source_version) {
                (Some(n), Some(v)) if *n == p.name && *v == p.version => "-".to_string(),
                (Some(n), Some(v)) if *v == p.version => n.clone(),
                (Some(n), Some(v)) => format!("{n} {v}"),
                (Some(n), None) => n.clone(),
                _ => "-".to_string(),
            };
            t.add_row(vec![
                printable(&p.name),
                printable(&p.version),
                printable(p.arch.as_deref().unwrap_or("-")),
                printable(&source),
                printable(&p.ecosystem),
            ]);
        }
        let _ = writeln!(s, "\n{t}");
    }
    for w in warnings {
        let _ = writeln!(s, "Warning: {}", printable(w));
    }
    s
}
