//! What the simple language catalogers ([`crate::yarn`], [`crate::pnpm`],
//! [`crate::gem`], [`crate::dotnet`], [`crate::gemfile_lock`],
//! [`crate::poetry_lock`], [`crate::pipfile_lock`], [`crate::uv_lock`])
//! produce: a list of name, version, licenses per file, or why the file
//! could not be read; and [`LockFileCataloger`], the analyzer they share.

use palisade_image::{Analysis, Analyzer, FileRef};

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

/// Decodes a TOML lock file (`what` names it in the error): UTF-8, then
/// the first line of the TOML error, shortened.
pub fn toml_lock<T: serde::de::DeserializeOwned>(content: &[u8], what: &str) -> Result<T, String> {
    let text = std::str::from_utf8(content).map_err(|e| format!("not UTF-8: {e}"))?;
    toml::from_str(text).map_err(|e| {
        let msg = e.message().lines().next().unwrap_or("").to_string();
        format!("invalid {what}: {}", crate::short(&msg))
    })
}

/// `NAME@RANGE` → `NAME` (the `@` of a scope is not the separator).
pub fn npm_name(spec: &str) -> &str {
    match spec.char_indices().skip(1).find(|&(_, c)| c == '@') {
        Some((i, _)) => &spec[..i],
        None => spec,
    }
}

/// The analyzer of a cataloger that turns one kind of file into a
/// [`ManifestFile`]: each cataloger module declares one as a `const`, with
/// its own parser, so none repeats the `Analyzer` impl.
pub struct LockFileCataloger {
    pub name: &'static str,
    pub patterns: &'static [&'static str],
    pub max_size: u64,
    /// Skip files under `node_modules/`: a lock file shipped inside a
    /// published package describes its author's tree, not this install.
    pub skip_node_modules: bool,
    pub parse: fn(&[u8]) -> Result<Vec<Listed>, String>,
}

impl Analyzer for LockFileCataloger {
    fn name(&self) -> &'static str {
        self.name
    }
    fn patterns(&self) -> &[&str] {
        self.patterns
    }
    fn max_size(&self) -> u64 {
        self.max_size
    }
    fn accept(&self, path: &str, _size: u64) -> bool {
        !(self.skip_node_modules && path.contains("node_modules/"))
    }
    fn analyze(&self, _file: FileRef<'_>, content: &[u8]) -> Result<Option<Analysis>, String> {
        Ok(Some(Box::new(ManifestFile::from((self.parse)(content)))))
    }
    fn too_large(&self, file: FileRef<'_>) -> Option<Analysis> {
        Some(Box::new(ManifestFile::TooLarge(file.size)))
    }
}

/// (name, version) of each entry a parser returned, in order: what the
/// catalogers' unit tests compare.
#[cfg(test)]
pub(crate) fn pairs(parsed: Result<Vec<Listed>, String>) -> Vec<(String, String)> {
    parsed
        .unwrap()
        .into_iter()
        .map(|p| (p.name, p.version))
        .collect()
}
