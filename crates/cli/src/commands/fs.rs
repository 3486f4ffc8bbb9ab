//! `palisade fs PATH`: the vulnerability (and secret) scan of a directory
//! or an unpacked root filesystem, through the same `dir:` source, scanners,
//! renderers, ignore file and gate as `palisade image`.

use super::image::ImageCommandArgs;
use super::image_args::ImageArgs;
use anyhow::Result;
use clap::Args;
use palisade_image::Limits;
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

    #[command(flatten)]
    pub report: super::report_args::ReportArgs,

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
        report: args.report,
        accept_key: Vec::new(),
        accept_file: Vec::new(),
        quiet: args.quiet,
    })
}
