//! One module per subcommand, plus the flags they share.

pub mod aws;
pub mod aws_check;
pub mod aws_ecr;
pub mod aws_lifecycle;
pub mod aws_simulate;
pub mod db;
pub mod db_path;
pub mod db_update;
pub mod dockerfile;
pub mod dockerfile_config;
pub mod dockerfile_table;
pub mod harden;
pub mod image;
pub mod image_args;
pub mod inspect;
pub mod sbom;
pub mod serve;
pub mod vuln;
