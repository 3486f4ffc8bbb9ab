//! One module per subcommand, plus the flags they share.

pub mod harden;
pub mod image;
pub mod image_args;
pub mod inspect;
pub mod sbom;
