//! `palisade db update`: download osv.dev's per-ecosystem `all.zip` (or a
//! mirror's copy), resuming partial downloads with HTTP Range, then import
//! them into a new database that atomically replaces the old one.

use super::db::DbFileArg;
use super::db_path::resolve;
use crate::output::printable;
use anyhow::{Context, Result, bail};
use clap::Args;
use std::fs::{File, OpenOptions};
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

pub const DEFAULT_MIRROR: &str = "https://osv-vulnerabilities.storage.googleapis.com";
/// Largest download accepted per ecosystem (osv.dev's largest, Debian, is ~60 MB).
const MAX_DOWNLOAD: u64 = 4 << 30;

#[derive(Args, Debug)]
pub struct UpdateArgs {
    /// OSV ecosystems to download, comma-separated
    #[arg(
        long,
        value_delimiter = ',',
        value_name = "LIST",
        default_value = "Debian,Alpine,PyPI,npm,crates.io,Go,Maven,RubyGems,NuGet,Packagist"
    )]
    pub ecosystems: Vec<String>,
    /// Base URL serving `<ECOSYSTEM>/all.zip` (an internal mirror for
    /// air-gapped or rate-limited networks)
    #[arg(long, value_name = "URL", env = "PALISADE_DB_MIRROR", default_value = DEFAULT_MIRROR)]
    pub mirror: String,
    /// Where downloads are kept between runs (default: `downloads/` next to the database)
    #[arg(long, value_name = "DIR")]
    pub download_dir: Option<PathBuf>,
    /// Seconds to wait for the server to connect or send more data
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    pub timeout: u64,
    #[command(flatten)]
    pub db: DbFileArg,
    /// No progress
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

pub fn run(args: UpdateArgs) -> Result<ExitCode> {
    let db = resolve(args.db.db.as_deref())?;
    let dir = match &args.download_dir {
        Some(d) => d.clone(),
        None => db.parent().unwrap_or(Path::new(".")).join("downloads"),
    };
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let client = reqwest::blocking::Client::builder()
        .connect_timeout(Duration::from_secs(args.timeout))
        .timeout(None)
        .user_agent(concat!("palisade/", env!("CARGO_PKG_VERSION")))
        .build()?;
    let mut zips = Vec::new();
    for eco in &args.ecosystems {
        let eco = eco.trim();
        if eco.is_empty() || eco.contains(['/', '\\']) || eco.starts_with('.') {
            bail!("--ecosystems: invalid ecosystem name {eco:?}");
        }
        let url = format!("{}/{}/all.zip", args.mirror.trim_end_matches('/'), eco);
        let dest = dir.join(format!("{eco}.all.zip"));
        download(&client, &url, &dest, args.quiet).with_context(|| format!("downloading {url}"))?;
        zips.push(dest);
    }
    super::db::build(&zips, &db, args.quiet)?;
    Ok(ExitCode::SUCCESS)
}

/// Downloads `url` to `dest` through `dest.part`, resuming a previous
/// partial download with a Range request.
pub fn download(
    client: &reqwest::blocking::Client,
    url: &str,
    dest: &Path,
    quiet: bool,
) -> Result<()> {
    let part = dest.with_extension("zip.part");
    let have = std::fs::metadata(&part).map(|m| m.len()).unwrap_or(0);
    let mut req = client.get(url);
    if have > 0 {
        req = req.header(reqwest::header::RANGE, format!("bytes={have}-"));
    }
    let mut resp = req.send()?;
    let status = resp.status();
    let (mut file, mut done) = if status == reqwest::StatusCode::PARTIAL_CONTENT && have > 0 {
        (OpenOptions::new().append(true).open(&part)?, have)
    } else if status == reqwest::StatusCode::RANGE_NOT_SATISFIABLE && have > 0 {
        // The partial file is already complete.
        std::fs::rename(&part, dest)?;
        return Ok(());
    } else if status.is_success() {
        (File::create(&part)?, 0)
    } else {
        bail!("server answered {status}");
    };
    let total = resp.content_length().map(|n| n + done);
    if total.is_some_and(|t| t > MAX_DOWNLOAD) {
        bail!(
            "server announces {} bytes, more than the {MAX_DOWNLOAD} accepted",
            total.unwrap_or(0)
        );
    }
    let bar = (!quiet && std::io::stderr().is_terminal()).then(|| {
        let b = indicatif::ProgressBar::new(total.unwrap_or(0));
        b.set_style(
            indicatif::ProgressStyle::with_template(
                "{msg} {bar:30} {bytes}/{total_bytes} {bytes_per_sec}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        b.set_message(printable(url));
        b.set_position(done);
        b
    });
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = resp.read(&mut buf)?;
        if n == 0 {
            break;
        }
        file.write_all(&buf[..n])?;
        done += n as u64;
        if done > MAX_DOWNLOAD {
            bail!("download larger than {MAX_DOWNLOAD} bytes");
        }
        if let Some(b) = &bar {
            b.set_position(done);
        }
    }
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    if total.is_some_and(|t| t != done) {
        bail!(
            "download ended after {done} bytes, expected {}; run again to resume",
            total.unwrap_or(0)
        );
    }
    file.sync_all()?;
    std::fs::rename(&part, dest)?;
    if !quiet {
        eprintln!("downloaded {} ({done} bytes)", printable(url));
    }
    Ok(())
}
