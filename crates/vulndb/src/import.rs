//! Building a database from osv.dev `all.zip` files and directories of OSV
//! JSON documents.

use crate::format::{self, EcosystemCount, Meta, Source};
use crate::osv::{self, Parsed};
use crate::record::Record;
use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::Path;

/// Largest single OSV document accepted (zip-bomb and hostile-file guard;
/// the largest real record, a Debian kernel CVE list, is well under 1 MB).
pub const MAX_DOCUMENT: u64 = 16 << 20;
/// Deepest directory walked.
const MAX_DEPTH: usize = 16;

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("cannot read {path}: {error}")]
    Io {
        path: String,
        #[source]
        error: std::io::Error,
    },
    #[error("{path} is not a readable zip archive: {error}")]
    Zip { path: String, error: String },
    #[error("cannot write the database {path}: {error}")]
    Write {
        path: String,
        #[source]
        error: std::io::Error,
    },
}

/// Accumulates records from several sources; for an id seen twice for the
/// same package, the newest `modified` wins.
#[derive(Default)]
pub struct Builder {
    packages: BTreeMap<(String, String), BTreeMap<String, Record>>,
    sources: Vec<Source>,
}

impl Builder {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one OSV JSON document; returns whether it was valid.
    fn add_document(&mut self, bytes: &[u8], source: &mut Source) {
        source.records += 1;
        match osv::parse(bytes) {
            Ok(Parsed::Withdrawn) => source.withdrawn += 1,
            Ok(Parsed::Records(recs)) => {
                for (key, rec) in recs {
                    let slot = self.packages.entry(key).or_default();
                    match slot.get(&rec.id) {
                        Some(old) if old.modified >= rec.modified => {}
                        _ => {
                            slot.insert(rec.id.clone(), rec);
                        }
                    }
                }
            }
            Err(_) => source.invalid += 1,
        }
    }

    /// Imports a zip of OSV documents (osv.dev's `all.zip`) or a directory
    /// of `*.json` documents, or a single JSON document.
    pub fn import_path(&mut self, path: &Path) -> Result<&Source, ImportError> {
        let mut source = Source {
            location: path.display().to_string(),
            ..Source::default()
        };
        let io = |error| ImportError::Io {
            path: path.display().to_string(),
            error,
        };
        let meta = std::fs::metadata(path).map_err(io)?;
        if meta.is_dir() {
            self.import_dir(path, 0, &mut source)?;
        } else {
            let mut file = std::fs::File::open(path).map_err(io)?;
            let mut magic = [0u8; 4];
            let n = file.read(&mut magic).map_err(io)?;
            if n == 4 && &magic == b"PK\x03\x04" {
                let file = std::fs::File::open(path).map_err(io)?;
                self.import_zip(file, path, &mut source)?;
            } else {
                let bytes = read_bounded(std::fs::File::open(path).map_err(io)?).map_err(io)?;
                self.add_document(&bytes, &mut source);
            }
        }
        self.sources.push(source);
        Ok(self.sources.last().expect("just pushed"))
    }

    /// Imports a zip from any seekable reader (`path` names it in messages).
    pub fn import_zip<R: Read + std::io::Seek>(
        &mut self,
        reader: R,
        path: &Path,
        source: &mut Source,
    ) -> Result<(), ImportError> {
        let zerr = |e: zip::result::ZipError| ImportError::Zip {
            path: path.display().to_string(),
            error: e.to_string(),
        };
        let mut zip = zip::ZipArchive::new(reader).map_err(zerr)?;
        let mut buf = Vec::new();
        for i in 0..zip.len() {
            let mut entry = zip.by_index(i).map_err(zerr)?;
            if !entry.is_file() || !entry.name_raw().ends_with(b".json") {
                continue;
            }
            if entry.size() > MAX_DOCUMENT {
                source.records += 1;
                source.invalid += 1;
                continue;
            }
            buf.clear();
            // The declared size can lie: bound what is actually inflated.
            let read = (&mut entry).take(MAX_DOCUMENT + 1).read_to_end(&mut buf);
            match read {
                Ok(_) if buf.len() as u64 <= MAX_DOCUMENT => {
                    let doc = std::mem::take(&mut buf);
                    self.add_document(&doc, source);
                    buf = doc;
                }
                _ => {
                    source.records += 1;
                    source.invalid += 1;
                }
            }
        }
        Ok(())
    }

    fn import_dir(
        &mut self,
        dir: &Path,
        depth: usize,
        source: &mut Source,
    ) -> Result<(), ImportError> {
        if depth > MAX_DEPTH {
            return Ok(());
        }
        let io = |error| ImportError::Io {
            path: dir.display().to_string(),
            error,
        };
        let mut names: Vec<_> = std::fs::read_dir(dir)
            .map_err(io)?
            .filter_map(|e| e.ok())
            .collect();
        names.sort_by_key(|e| e.file_name());
        for e in names {
            // No symlinks: a directory of documents is walked as it is.
            let Ok(ft) = e.file_type() else { continue };
            let p = e.path();
            if ft.is_dir() {
                self.import_dir(&p, depth + 1, source)?;
            } else if ft.is_file() && p.extension().is_some_and(|x| x == "json") {
                let f = std::fs::File::open(&p).map_err(|error| ImportError::Io {
                    path: p.display().to_string(),
                    error,
                })?;
                match read_bounded(f) {
                    Ok(bytes) => self.add_document(&bytes, source),
                    Err(_) => {
                        source.records += 1;
                        source.invalid += 1;
                    }
                }
            }
        }
        Ok(())
    }

    /// Writes the database atomically to `path`; returns its size and metadata.
    pub fn write(self, path: &Path, built: u64) -> Result<(u64, Meta), ImportError> {
        let mut ecosystems: BTreeMap<String, (BTreeSet<&str>, u64)> = BTreeMap::new();
        for ((eco, _), recs) in &self.packages {
            let e = ecosystems.entry(eco.clone()).or_default();
            e.1 += 1;
            e.0.extend(recs.keys().map(|s| s.as_str()));
        }
        let meta = Meta {
            built,
            sources: self.sources.clone(),
            ecosystems: ecosystems
                .into_iter()
                .map(|(k, (ids, packages))| {
                    (
                        k,
                        EcosystemCount {
                            records: ids.len() as u64,
                            packages,
                        },
                    )
                })
                .collect(),
        };
        let packages: BTreeMap<(String, String), Vec<Record>> = self
            .packages
            .into_iter()
            .map(|(k, v)| (k, v.into_values().collect()))
            .collect();
        let size = format::write(path, &meta, &packages).map_err(|error| ImportError::Write {
            path: path.display().to_string(),
            error,
        })?;
        Ok((size, meta))
    }
}

fn read_bounded(r: impl Read) -> std::io::Result<Vec<u8>> {
    let mut buf = Vec::new();
    r.take(MAX_DOCUMENT + 1).read_to_end(&mut buf)?;
    if buf.len() as u64 > MAX_DOCUMENT {
        return Err(std::io::Error::other("document larger than 16 MiB"));
    }
    Ok(buf)
}
