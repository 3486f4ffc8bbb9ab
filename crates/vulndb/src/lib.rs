//! palisade's vulnerability database: OSV documents imported into one
//! indexed file ([`format`]), OSV range evaluation ([`range`]) over a
//! pluggable version order ([`order`]), matching of installed packages
//! ([`matcher`]) and severity ([`severity`]).

pub mod blob;
pub mod format;
pub mod import;
pub mod matcher;
pub mod name;
pub mod order;
pub mod osv;
pub mod purl;
pub mod range;
pub mod record;
pub mod sbom_input;
pub mod severity;
pub mod spill;
pub mod vex;

pub use format::{Db, DbError, Meta};
pub use import::Builder;
pub use matcher::{MatchReport, VulnMatch, match_packages};
pub use order::{EcosystemOrder, VersionOrder};
