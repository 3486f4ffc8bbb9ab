//! `palisade fs PATH`: the vulnerability (and secret) scan of a directory
//! or an unpacked root filesystem, through the same `dir:` source, scanners,
//! renderers, ignore file and gate as `palisade image`.

use super::image::ImageCommandArgs;
use super::image_args::ImageArgs;
use anyhow::Result;
use clap::Args;
use palisade_image::Limits;
use palisade_model::Severity;
use palisade_report::Format;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args, Debug)]
pub struct FsArgs {
    /// Directory or unpacked root filesystem to scan (read as `dir:PATH`;
    /// symlinks are not followed out of it)
    #[arg(value_name = "PATH")]
    pub path: PathBuf,

    /// Scanners to run, comma-separated: vuln (installed packages against
    /// the vulnerability database, see `palisade db`), secret, audit.
    /// Default: vuln,secret
    #[arg(long, value_delimiter = ',', value_name = "LIST")]
    pub scanners: Option<Vec<String>>,

    #[command(flatten)]
    pub vuln: super::vuln::VulnArgs,

    /// Output format
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Table)]
    pub format: Format,

    /// Write the report to FILE instead of standard output
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Exit with --exit-code when a finding at or above this severity remains
    /// after the ignore file (UNKNOWN, INFO, LOW, MEDIUM, HIGH, CRITICAL)
    #[arg(long, value_name = "SEVERITY")]
    pub fail_on: Option<Severity>,

    /// Exit code when the --fail-on gate trips
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u8).range(1..))]
    pub exit_code: u8,

    /// Ignore file (TOML, docs/ignore-file.md): by rule or vulnerability id
    /// (any alias), package, purl, path; with a reason and an optional expiry
    #[arg(long, value_name = "FILE", env = "PALISADE_IGNORE_FILE")]
    pub ignore_file: Option<PathBuf>,

    /// No progress bars
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

pub fn run(args: FsArgs) -> Result<ExitCode> {
    let image = ImageArgs {
        reference: format!("dir:{}", args.path.display()),
        platform: None,
        insecure: false,
        username: None,
        password_stdin: false,
        docker_config: None,
        timeout: 30,
        retries: 0,
        threads: 0,
        max_layer_size: Limits::default().max_layer_bytes,
        verify_diff_ids: false,
    };
    super::image::run(ImageCommandArgs {
        image,
        scanners: Some(
            args.scanners
                .unwrap_or_else(|| vec!["vuln".into(), "secret".into()]),
        ),
        vuln: args.vuln,
        format: args.format,
        output: args.output,
        fail_on: args.fail_on,
        exit_code: args.exit_code,
        ignore_file: args.ignore_file,
        accept_key: Vec::new(),
        accept_file: Vec::new(),
        quiet: args.quiet,
    })
}
