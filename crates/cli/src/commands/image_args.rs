//! Flags shared by every command that reads an image.

use crate::progress::LayerBars;
use anyhow::{Context, Result, bail};
use clap::Args;
use palisade_image::{
    Analyzer, Image, ImageRef, Limits, OpenOptions, Platform, Progress, RegistryOptions, Scan,
    WalkOptions,
};
use std::io::Read;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Args, Debug)]
pub struct ImageArgs {
    /// Image reference: oci:DIR[:TAG|@DIGEST], docker-archive:FILE[:NAME:TAG|:@N],
    /// docker://HOST/REPO[:TAG|@DIGEST] or HOST/REPO:TAG
    #[arg(value_name = "REF")]
    pub reference: String,

    /// Platform to pick from a multi-platform image, os/arch[/variant]
    /// (default: this machine's)
    #[arg(long, value_name = "OS/ARCH[/VARIANT]")]
    pub platform: Option<String>,

    /// Allow plain HTTP and unverified TLS for the registry (loopback
    /// registries may always use plain HTTP)
    #[arg(long)]
    pub insecure: bool,

    /// Registry username (the password is read from stdin with --password-stdin)
    #[arg(long, env = "PALISADE_USERNAME", requires = "password_stdin")]
    pub username: Option<String>,

    /// Read the registry password or token from standard input
    #[arg(long, requires = "username")]
    pub password_stdin: bool,

    /// Docker config file with registry credentials
    /// (default: $DOCKER_CONFIG/config.json or ~/.docker/config.json)
    #[arg(long, value_name = "FILE")]
    pub docker_config: Option<PathBuf>,

    /// Seconds to wait for a registry to connect, answer, or send more data
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    pub timeout: u64,

    /// Retries on registry rate limits (429), server errors (5xx) and network errors
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub retries: u32,

    /// Layers read in parallel (default: one per CPU)
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub threads: usize,

    /// Largest uncompressed layer accepted, in bytes (decompression-bomb guard)
    #[arg(long, value_name = "BYTES", default_value_t = Limits::default().max_layer_bytes)]
    pub max_layer_size: u64,

    /// Also hash every uncompressed layer and check it against the config's
    /// diff-id. The layer blobs' digests (from the manifest) are always
    /// verified, which already fixes every byte scanned; this only adds the
    /// config's consistency check, at the cost of a second SHA-256 pass.
    /// `inspect` and `harden` always do it.
    #[arg(long)]
    pub verify_diff_ids: bool,
}

impl ImageArgs {
    pub fn image_ref(&self) -> Result<ImageRef> {
        Ok(ImageRef::parse(&self.reference)?)
    }

    pub fn open_options(&self) -> Result<OpenOptions> {
        let platform = match &self.platform {
            Some(p) => p.parse::<Platform>().map_err(anyhow::Error::msg)?,
            None => Platform::host(),
        };
        let password = if self.password_stdin {
            let mut s = String::new();
            std::io::stdin()
                .take(64 << 10)
                .read_to_string(&mut s)
                .context("reading the password from stdin")?;
            let s = s.trim_end_matches(['\n', '\r']).to_string();
            if s.is_empty() {
                bail!("--password-stdin: standard input was empty");
            }
            Some(s)
        } else {
            None
        };
        if self.timeout == 0 {
            bail!("--timeout must be at least 1 second");
        }
        Ok(OpenOptions {
            platform,
            registry: RegistryOptions {
                insecure: self.insecure,
                username: self.username.clone(),
                password,
                docker_config: self.docker_config.clone(),
                timeout: Duration::from_secs(self.timeout),
                retries: self.retries,
                ..RegistryOptions::default()
            },
        })
    }

    pub fn limits(&self) -> Limits {
        Limits {
            max_layer_bytes: self.max_layer_size,
            ..Limits::default()
        }
    }

    /// Opens the image and walks its layers once with `analyzers`, with
    /// progress bars on a terminal unless `quiet`. `verify_diff_ids` forces
    /// the diff-id check that `--verify-diff-ids` otherwise asks for.
    pub fn open_and_walk(
        &self,
        analyzers: &[&dyn Analyzer],
        quiet: bool,
        verify_diff_ids: bool,
    ) -> Result<(ImageRef, Image, Scan)> {
        let reference = self.image_ref()?;
        let image = palisade_image::open(&reference, &self.open_options()?)?;
        let sizes: Vec<Option<u64>> = image.layers.iter().map(|l| l.size).collect();
        let bars = LayerBars::new(&sizes, quiet);
        let walk_options = WalkOptions {
            limits: self.limits(),
            threads: self.threads,
            progress: bars.as_ref().map(|b| b as &dyn Progress),
            verify_diff_ids: verify_diff_ids || self.verify_diff_ids,
        };
        let scan = palisade_image::walk(&image, analyzers, &walk_options);
        if let Some(b) = &bars {
            b.clear();
        }
        Ok((reference, image, scan?))
    }
}
