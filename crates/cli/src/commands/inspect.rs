//! `palisade inspect REF`.

use super::image_args::ImageArgs;
use crate::output::{self, Format};
use anyhow::Result;
use clap::Args;
use palisade_image::inspect::{self, OsReleaseAnalyzer};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args, Debug)]
pub struct InspectArgs {
    #[command(flatten)]
    pub image: ImageArgs,

    /// Output format
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Table)]
    pub format: Format,

    /// Write the report to FILE instead of standard output
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// How many of the most wasteful paths the table lists (json lists up to 20)
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub top: usize,

    /// No progress bars
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

pub fn run(args: InspectArgs) -> Result<ExitCode> {
    let os_release = OsReleaseAnalyzer;
    let (_, image, scan) = args.image.open_and_walk(&[&os_release], args.quiet, true)?;
    let report = inspect::report(&image, &scan, Some(0));
    let text = match args.format {
        Format::Json => output::json(&report)?,
        Format::Table => output::inspect_table(&report, args.top),
    };
    output::write(args.output.as_deref(), &text)?;
    Ok(ExitCode::SUCCESS)
}
