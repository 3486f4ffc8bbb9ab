//! The interface through which later stages (audit checks, package
//! catalogers, secret scanners) see file contents during the one pass.
//!
//! An analyzer declares path patterns up front. The walk offers it the
//! content of matching regular files only, one file at a time, up to the
//! analyzer's size limit; everything else streams past unread by it. Its
//! output is stored per layer, so it is a pure function of the layer and
//! can be cached by diff-id; [`crate::Scan::analysis`] then picks the output
//! for the file version that is visible in the final filesystem.

use std::any::Any;

/// What an analyzer is told about a file it receives.
#[derive(Debug, Clone, Copy)]
pub struct FileRef<'a> {
    /// Path relative to the image root, without a leading `/`.
    pub path: &'a str,
    pub mode: u32,
    pub size: u64,
    /// Index of the layer the content comes from (0 = bottom).
    pub layer: usize,
}

/// Output of one analyzer for one file.
pub type Analysis = Box<dyn Any + Send + Sync>;

pub trait Analyzer: Send + Sync {
    /// A short stable name, used in errors.
    fn name(&self) -> &'static str;

    /// Glob patterns (`glob` crate syntax, matched against the path without
    /// a leading `/`, `*` not crossing `/`) of the files this analyzer reads.
    fn patterns(&self) -> &[&str];

    /// Largest file content handed over; bigger files are skipped and
    /// reported to [`Analyzer::too_large`].
    fn max_size(&self) -> u64 {
        8 << 20
    }

    /// Reads one file's content. `Ok(None)` means "nothing to record".
    /// An `Err` is recorded as a warning for that file; the walk goes on.
    fn analyze(&self, file: FileRef<'_>, content: &[u8]) -> Result<Option<Analysis>, String>;

    /// A last word on a matching path before its content is read (for
    /// analyzers whose patterns are broad, such as a secret scanner's `**`).
    fn accept(&self, _path: &str, _size: u64) -> bool {
        true
    }

    /// A last word on a matching file's permission bits (for analyzers of
    /// executables, whose paths say little).
    fn accept_mode(&self, _mode: u32) -> bool {
        true
    }

    /// Called instead of `analyze` for a matching file above `max_size`.
    fn too_large(&self, _file: FileRef<'_>) -> Option<Analysis> {
        None
    }

    /// A reader that sees the file as a stream of chunks instead of one
    /// buffer, for analyzers of big files that keep little of them (build
    /// information inside executables). When `Some`, `analyze` is not
    /// called for this file and the file is not held in memory for it.
    fn scanner(&self, _file: FileRef<'_>) -> Option<Box<dyn FileScanner>> {
        None
    }
}

/// Sees one file's bytes in order, chunk by chunk (see [`Analyzer::scanner`]).
pub trait FileScanner: Send {
    /// The file's next bytes, starting at byte `offset` of the file.
    /// Returns `false` when it needs no more of the file.
    fn chunk(&mut self, offset: u64, data: &[u8]) -> bool;

    /// The file ended, or the scanner needed no more: its output, as
    /// [`Analyzer::analyze`] would return it.
    fn finish(self: Box<Self>) -> Result<Option<Analysis>, String>;
}

/// Feeds a whole in-memory file to `scanner` in chunks of `chunk_size`
/// bytes (for tests, fuzzing and callers that already hold the file).
pub fn scan_slice(
    mut scanner: Box<dyn FileScanner>,
    file: &[u8],
    chunk_size: usize,
) -> Result<Option<Analysis>, String> {
    let mut offset = 0;
    for chunk in file.chunks(chunk_size.max(1)) {
        if !scanner.chunk(offset as u64, chunk) {
            break;
        }
        offset += chunk.len();
    }
    scanner.finish()
}

/// Analyzers with their patterns compiled once.
pub(crate) struct CompiledAnalyzers<'a> {
    pub(crate) analyzers: &'a [&'a dyn Analyzer],
    /// Each pattern with the literal text it ends with (after its last
    /// wildcard): a path that does not end so cannot match, and checking
    /// that first skips most glob matching (every entry meets every pattern).
    patterns: Vec<Vec<(String, glob::Pattern)>>,
}

/// The literal tail of a glob pattern: what follows its last special
/// character, without a leading `/` (`**/` also matches no directory, so
/// `**/Cargo.lock` matches `Cargo.lock` at the root).
fn literal_suffix(pattern: &str) -> &str {
    match pattern.rfind(['*', '?', '[', ']', '{', '}', '\\']) {
        Some(i) => pattern[i + 1..].trim_start_matches('/'),
        None => pattern,
    }
}

const MATCH: glob::MatchOptions = glob::MatchOptions {
    case_sensitive: true,
    require_literal_separator: true,
    require_literal_leading_dot: false,
};

impl<'a> CompiledAnalyzers<'a> {
    pub(crate) fn new(analyzers: &'a [&'a dyn Analyzer]) -> Result<Self, String> {
        let patterns = analyzers
            .iter()
            .map(|a| {
                a.patterns()
                    .iter()
                    .map(|p| {
                        glob::Pattern::new(p)
                            .map(|g| (literal_suffix(p).to_string(), g))
                            .map_err(|e| format!("analyzer {}: pattern {p:?}: {e}", a.name()))
                    })
                    .collect::<Result<Vec<_>, _>>()
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(CompiledAnalyzers {
            analyzers,
            patterns,
        })
    }

    /// Indexes of the analyzers interested in `path`.
    pub(crate) fn interested(&self, path: &str, size: u64, mode: u32) -> Vec<usize> {
        self.patterns
            .iter()
            .enumerate()
            .filter(|(i, pats)| {
                pats.iter()
                    .any(|(tail, p)| path.ends_with(tail.as_str()) && p.matches_with(path, MATCH))
                    && self.analyzers[*i].accept(path, size)
                    && self.analyzers[*i].accept_mode(mode)
            })
            .map(|(i, _)| i)
            .collect()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.analyzers.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::literal_suffix;

    #[test]
    fn literal_suffixes() {
        assert_eq!(
            literal_suffix("**/node_modules/*/package.json"),
            "package.json"
        );
        assert_eq!(literal_suffix("**/Cargo.lock"), "Cargo.lock");
        assert_eq!(literal_suffix("**"), "");
        assert_eq!(literal_suffix("var/lib/dpkg/status"), "var/lib/dpkg/status");
        assert_eq!(literal_suffix("**/*.[jw]ar"), "ar");
        assert_eq!(literal_suffix("a/b?"), "");
    }
}
