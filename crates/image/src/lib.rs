//! Image access for palisade: references, sources (OCI layout,
//! docker-archive, registry), manifests, and the one-pass layer walk.
//!
//! ```no_run
//! use palisade_image::{ImageRef, OpenOptions, WalkOptions, open, walk};
//! let reference = ImageRef::parse("oci:./layout:latest")?;
//! let image = open(&reference, &OpenOptions::default())?;
//! let scan = walk(&image, &[], &WalkOptions::default())?;
//! println!("{} paths", scan.fs.len());
//! # Ok::<(), palisade_image::ImageError>(())
//! ```

pub mod analyzer;
pub mod digest;
pub mod error;
pub mod fs;
pub mod image;
pub mod inspect;
pub mod manifest;
pub mod platform;
pub mod reference;
pub mod source;
pub mod walk;
pub mod write;

pub use analyzer::{Analysis, Analyzer, FileRef, FileScanner, scan_slice};
pub use digest::Digest;
pub use error::{ImageError, Result};
pub use fs::{Efficiency, Filesystem, LayerChanges, Node};
pub use image::{Image, LayerDesc, OpenOptions, open};
pub use platform::Platform;
pub use reference::{ImageRef, RegistryRef};
pub use source::registry::RegistryOptions;
pub use walk::{Entry, EntryKind, Limits, Progress, Scan, WalkOptions, Whiteout, walk};
pub use write::{Destination, ImageOut, WriteOptions, Written};
