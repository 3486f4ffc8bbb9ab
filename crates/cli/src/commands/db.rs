//! `palisade db import|update|info`: build, refresh and describe the
//! vulnerability database.

use super::db_path::{age, now, resolve, rfc3339};
use crate::output::{self, printable};
use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use palisade_vulndb::{Builder, Db};
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

#[derive(Args, Debug)]
pub struct DbArgs {
    #[command(subcommand)]
    pub command: DbCommand,
}

#[derive(Subcommand, Debug)]
pub enum DbCommand {
    /// Build the database from osv.dev `all.zip` files, directories of OSV
    /// JSON documents, or single documents (replaces the database atomically)
    Import(ImportArgs),
    /// Download osv.dev's `<ECOSYSTEM>/all.zip` for each ecosystem (or from
    /// a mirror), resuming partial downloads, then import them
    Update(super::db_update::UpdateArgs),
    /// Show the database's build time, age, sources and record counts
    Info(InfoArgs),
}

#[derive(Args, Debug)]
pub struct DbFileArg {
    /// Database file (default: $PALISADE_DB, else
    /// $XDG_CACHE_HOME/palisade/vuln.db, else ~/.cache/palisade/vuln.db)
    #[arg(long, value_name = "FILE")]
    pub db: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct ImportArgs {
    /// all.zip files, directories of OSV JSON, or OSV JSON files
    #[arg(value_name = "PATH", required = true)]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub db: DbFileArg,
    /// No progress messages
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

#[derive(Args, Debug)]
pub struct InfoArgs {
    #[command(flatten)]
    pub db: DbFileArg,
    /// Output format
    #[arg(long, short = 'f', value_enum, default_value_t = InfoFormat::Table)]
    pub format: InfoFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum InfoFormat {
    Table,
    Json,
}

pub fn run(args: DbArgs) -> Result<ExitCode> {
    match args.command {
        DbCommand::Import(a) => import(a),
        DbCommand::Update(a) => super::db_update::run(a),
        DbCommand::Info(a) => info(a),
    }
}

/// Imports `paths` into a new database at `db` (shared with `db update`).
pub fn build(paths: &[PathBuf], db: &std::path::Path, quiet: bool) -> Result<()> {
    let start = Instant::now();
    let mut builder = Builder::new();
    for p in paths {
        let t = Instant::now();
        let s = builder.import_path(p)?;
        if !quiet {
            eprintln!(
                "imported {}: {} documents ({} withdrawn, {} invalid) in {:.1} s",
                printable(&s.location),
                s.records,
                s.withdrawn,
                s.invalid,
                t.elapsed().as_secs_f64()
            );
        }
    }
    let (size, meta) = builder.write(db, now())?;
    if !quiet {
        let keys: u64 = meta.ecosystems.values().map(|e| e.packages).sum();
        eprintln!(
            "wrote {} ({}, {keys} packages) in {:.1} s",
            db.display(),
            output::human_bytes(size),
            start.elapsed().as_secs_f64()
        );
    }
    Ok(())
}

fn import(args: ImportArgs) -> Result<ExitCode> {
    let db = resolve(args.db.db.as_deref())?;
    build(&args.paths, &db, args.quiet)?;
    Ok(ExitCode::SUCCESS)
}

fn info(args: InfoArgs) -> Result<ExitCode> {
    let path = resolve(args.db.db.as_deref())?;
    if !path.exists() {
        bail!(
            "no vulnerability database at {}: build one with `palisade db update` (downloads from osv.dev) or `palisade db import PATH...` (offline, from all.zip files)",
            path.display()
        );
    }
    let db = Db::open(&path).with_context(|| "opening the vulnerability database".to_string())?;
    let meta = &db.meta;
    let text = match args.format {
        InfoFormat::Json => output::json(&serde_json::json!({
            "path": path.display().to_string(),
            "format_version": palisade_vulndb::format::FORMAT_VERSION,
            "built": rfc3339(meta.built),
            "age_seconds": now().saturating_sub(meta.built),
            "packages": db.len(),
            "sources": meta.sources,
            "ecosystems": meta.ecosystems,
        }))?,
        InfoFormat::Table => {
            let mut s = String::new();
            let _ = writeln!(s, "Database: {}", path.display());
            let _ = writeln!(
                s,
                "Format version: {}",
                palisade_vulndb::format::FORMAT_VERSION
            );
            let _ = writeln!(
                s,
                "Built: {} ({} ago)",
                rfc3339(meta.built),
                age(now().saturating_sub(meta.built))
            );
            let _ = writeln!(s, "Packages: {}", db.len());
            let mut t = output::table();
            t.set_header(vec!["SOURCE", "DOCUMENTS", "WITHDRAWN", "INVALID"]);
            for src in &meta.sources {
                t.add_row(vec![
                    printable(&src.location),
                    src.records.to_string(),
                    src.withdrawn.to_string(),
                    src.invalid.to_string(),
                ]);
            }
            let _ = writeln!(s, "\n{t}");
            let mut t = output::table();
            t.set_header(vec!["ECOSYSTEM", "ADVISORIES", "PACKAGES"]);
            for (eco, c) in &meta.ecosystems {
                t.add_row(vec![
                    printable(eco),
                    c.records.to_string(),
                    c.packages.to_string(),
                ]);
            }
            let _ = writeln!(s, "\n{t}");
            s
        }
    };
    output::write(None, &text)?;
    Ok(ExitCode::SUCCESS)
}
