//! What the simple language catalogers ([`crate::yarn`], [`crate::pnpm`],
//! [`crate::gem`], [`crate::dotnet`]) produce: a list of name, version,
//! licenses per file, or why the file could not be read.

/// Most packages kept from one file.
pub const MAX_ENTRIES: usize = 100_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    pub name: String,
    pub version: String,
    pub licenses: Vec<String>,
}

#[derive(Debug, Clone)]
pub enum ManifestFile {
    Packages(Vec<Listed>),
    Invalid(String),
    TooLarge(u64),
}

impl ManifestFile {
    pub fn from(r: Result<Vec<Listed>, String>) -> Self {
        match r {
            Ok(p) => ManifestFile::Packages(p),
            Err(e) => ManifestFile::Invalid(e),
        }
    }
}

/// Pushes `p` unless the file already gave [`MAX_ENTRIES`].
pub fn push(out: &mut Vec<Listed>, p: Listed) -> Result<(), String> {
    if out.len() >= MAX_ENTRIES {
        return Err(format!("more than {MAX_ENTRIES} packages"));
    }
    out.push(p);
    Ok(())
}

/// `NAME@RANGE` → `NAME` (the `@` of a scope is not the separator).
pub fn npm_name(spec: &str) -> &str {
    match spec.char_indices().skip(1).find(|&(_, c)| c == '@') {
        Some((i, _)) => &spec[..i],
        None => spec,
    }
}
