//! One module per subcommand, plus the flags they share.

pub mod dockerfile;
pub mod dockerfile_config;
pub mod dockerfile_table;
pub mod image;
pub mod image_args;
pub mod inspect;
pub mod sbom;
