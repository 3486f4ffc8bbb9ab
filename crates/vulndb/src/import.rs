//! Building a database from osv.dev `all.zip` files and directories of OSV
//! JSON documents.

use crate::format::{EcosystemCount, Meta, Source, Writer};
use crate::osv::{self, Parsed};
use crate::spill::{Entry, Runs};
use std::collections::{BTreeMap, HashSet};
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
    #[error("cannot write the import's temporary files: {0}")]
    Spill(#[source] std::io::Error),
    #[error("cannot write the database {path}: {error}")]
    Write {
        path: String,
        #[source]
        error: std::io::Error,
    },
}

/// Default memory budget for buffered records before they are spilled to
/// a sorted run on disk.
pub const DEFAULT_BUDGET: usize = 64 << 20;

/// Accumulates records from several sources, in memory up to a budget and
/// then in sorted runs on disk (`crate::spill`); for an id seen twice for
/// the same package, the newest `modified` wins (the first read on a tie).
pub struct Builder {
    pending: Vec<Entry>,
    pending_bytes: usize,
    budget: usize,
    runs: Runs,
    seq: u64,
    sources: Vec<Source>,
}

impl Default for Builder {
    fn default() -> Self {
        Self::with_budget(DEFAULT_BUDGET)
    }
}

impl Builder {
    pub fn new() -> Self {
        Self::default()
    }

    /// A builder that keeps at most about `bytes` of records in memory.
    pub fn with_budget(bytes: usize) -> Self {
        Builder {
            pending: Vec::new(),
            pending_bytes: 0,
            budget: bytes,
            runs: Runs::default(),
            seq: 0,
            sources: Vec::new(),
        }
    }

    /// Sorted runs spilled to disk so far.
    pub fn spilled_runs(&self) -> usize {
        self.runs.len()
    }

    /// Adds one OSV JSON document, counting it as valid, withdrawn or invalid.
    fn add_document(&mut self, bytes: &[u8], source: &mut Source) -> Result<(), ImportError> {
        source.records += 1;
        match osv::parse(bytes) {
            Ok(Parsed::Withdrawn) => source.withdrawn += 1,
            Ok(Parsed::Records(recs)) => {
                for ((ecosystem, name), rec) in recs {
                    let mut data = Vec::new();
                    crate::blob::encode_record(&mut data, &rec);
                    self.seq += 1;
                    let entry = Entry {
                        ecosystem,
                        name,
                        id: rec.id,
                        modified: rec.modified,
                        seq: self.seq,
                        data,
                    };
                    self.pending_bytes += entry.weight();
                    self.pending.push(entry);
                }
                if self.pending_bytes > self.budget {
                    self.runs
                        .spill(&mut self.pending)
                        .map_err(ImportError::Spill)?;
                    self.pending = Vec::new();
                    self.pending_bytes = 0;
                }
            }
            Err(_) => source.invalid += 1,
        }
        Ok(())
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
                self.add_document(&bytes, &mut source)?;
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
                    self.add_document(&doc, source)?;
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
                    Ok(bytes) => self.add_document(&bytes, source)?,
                    Err(_) => {
                        source.records += 1;
                        source.invalid += 1;
                    }
                }
            }
        }
        Ok(())
    }

    /// Writes the database atomically to `path`, merging the buffered
    /// records and the spilled runs package by package; returns its size
    /// and metadata.
    pub fn write(self, path: &Path, built: u64) -> Result<(u64, Meta), ImportError> {
        let werr = |error| ImportError::Write {
            path: path.display().to_string(),
            error,
        };
        let mut writer = Writer::create(path).map_err(werr)?;
        let mut ecosystems: BTreeMap<String, EcosystemCount> = BTreeMap::new();
        // Entries come sorted by ecosystem first: the ids of one ecosystem
        // at a time are enough to count its advisories.
        let mut ids: HashSet<String> = HashSet::new();
        let mut package: Option<Package> = None;
        let merged = self.runs.merge(self.pending).map_err(ImportError::Spill)?;
        for entry in merged {
            let entry = entry.map_err(ImportError::Spill)?;
            let same_package = package
                .as_ref()
                .is_some_and(|p| p.ecosystem == entry.ecosystem && p.name == entry.name);
            if !same_package {
                if let Some(p) = package.take() {
                    p.write(&mut writer).map_err(werr)?;
                }
                let count = ecosystems.entry(entry.ecosystem.clone()).or_default();
                if count.packages == 0 {
                    ids.clear();
                }
                count.packages += 1;
                package = Some(Package::new(&entry));
            }
            if ids.insert(entry.id.clone()) {
                ecosystems
                    .get_mut(&entry.ecosystem)
                    .expect("counted above")
                    .records += 1;
            }
            package.as_mut().expect("set above").add(entry);
        }
        if let Some(p) = package.take() {
            p.write(&mut writer).map_err(werr)?;
        }
        let meta = Meta {
            built,
            sources: self.sources,
            ecosystems,
        };
        let size = writer.finish(&meta).map_err(werr)?;
        Ok((size, meta))
    }
}

/// The records of one package while merging: one per id, the newest.
struct Package {
    ecosystem: String,
    name: String,
    records: Vec<Entry>,
}

impl Package {
    fn new(first: &Entry) -> Package {
        Package {
            ecosystem: first.ecosystem.clone(),
            name: first.name.clone(),
            records: Vec::new(),
        }
    }

    /// Entries of one id arrive together, in reading order.
    fn add(&mut self, e: Entry) {
        match self.records.last_mut() {
            Some(last) if last.id == e.id => {
                if e.modified > last.modified {
                    *last = e;
                }
            }
            _ => self.records.push(e),
        }
    }

    fn write(self, w: &mut Writer) -> std::io::Result<()> {
        let mut data =
            Vec::with_capacity(4 + self.records.iter().map(|r| r.data.len()).sum::<usize>());
        data.extend_from_slice(&(self.records.len() as u32).to_le_bytes());
        for r in &self.records {
            data.extend_from_slice(&r.data);
        }
        w.add_encoded(&self.ecosystem, &self.name, &data)
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
