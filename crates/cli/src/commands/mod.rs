//! One module per subcommand, plus the flags they share.

pub mod attest;
pub mod aws;
pub mod aws_check;
pub mod aws_ecr;
pub mod aws_lifecycle;
pub mod aws_lifecycle_history;
pub mod aws_simulate;
pub mod db;
pub mod db_path;
pub mod db_update;
pub mod dockerfile;
pub mod dockerfile_config;
pub mod dockerfile_rules;
pub mod dockerfile_table;
pub mod fs;
pub mod harden;
pub mod image;
pub mod image_args;
pub mod inspect;
pub mod keygen;
pub mod sbom;
pub mod sbom_scan;
pub mod sign;
pub mod sign_keys;
pub mod verify;
pub mod vuln;
