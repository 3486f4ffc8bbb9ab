//! Sorted runs of encoded records on disk, so that importing all of
//! osv.dev holds at most a budget of records in memory: records are
//! buffered, sorted and written to a temporary file when the buffer is
//! full, and the files are merged in key order when the database is
//! written.

use std::io::{BufReader, BufWriter, Read, Write};
use std::path::PathBuf;

/// One record of one package, already in the `crate::blob` encoding, with
/// what de-duplication needs (`seq`: the order records were read in).
#[derive(Debug)]
pub struct Entry {
    pub ecosystem: String,
    pub name: String,
    pub id: String,
    pub modified: Option<String>,
    pub seq: u64,
    pub data: Vec<u8>,
}

impl Entry {
    /// Database key order, then id, then reading order.
    fn key(&self) -> (&str, &str, &str, u64) {
        (&self.ecosystem, &self.name, &self.id, self.seq)
    }

    /// Bytes this entry holds in memory, roughly.
    pub fn weight(&self) -> usize {
        self.ecosystem.len()
            + self.name.len()
            + self.id.len()
            + self.modified.as_ref().map_or(0, |m| m.len())
            + self.data.len()
            + 160
    }
}

fn put(w: &mut impl Write, b: &[u8]) -> std::io::Result<()> {
    w.write_all(&(b.len() as u32).to_le_bytes())?;
    w.write_all(b)
}

fn write_entry(w: &mut impl Write, e: &Entry) -> std::io::Result<()> {
    put(w, e.ecosystem.as_bytes())?;
    put(w, e.name.as_bytes())?;
    put(w, e.id.as_bytes())?;
    match &e.modified {
        Some(m) => {
            w.write_all(&[1])?;
            put(w, m.as_bytes())?;
        }
        None => w.write_all(&[0])?,
    }
    w.write_all(&e.seq.to_le_bytes())?;
    put(w, &e.data)
}

/// Our own temporary files: still read with bounded lengths.
const MAX_FIELD: usize = 256 << 20;

fn get(r: &mut impl Read) -> std::io::Result<Vec<u8>> {
    let mut n = [0u8; 4];
    r.read_exact(&mut n)?;
    let n = u32::from_le_bytes(n) as usize;
    if n > MAX_FIELD {
        return Err(std::io::Error::other("damaged import run file"));
    }
    let mut b = vec![0; n];
    r.read_exact(&mut b)?;
    Ok(b)
}

fn get_str(r: &mut impl Read) -> std::io::Result<String> {
    String::from_utf8(get(r)?).map_err(|_| std::io::Error::other("damaged import run file"))
}

/// The next entry, `None` at a clean end of the file.
fn read_entry(r: &mut impl Read) -> std::io::Result<Option<Entry>> {
    let mut n = [0u8; 4];
    match r.read(&mut n[..1])? {
        0 => return Ok(None),
        _ => r.read_exact(&mut n[1..])?,
    }
    let len = u32::from_le_bytes(n) as usize;
    if len > MAX_FIELD {
        return Err(std::io::Error::other("damaged import run file"));
    }
    let mut eco = vec![0; len];
    r.read_exact(&mut eco)?;
    let ecosystem =
        String::from_utf8(eco).map_err(|_| std::io::Error::other("damaged import run file"))?;
    let name = get_str(r)?;
    let id = get_str(r)?;
    let mut flag = [0u8; 1];
    r.read_exact(&mut flag)?;
    let modified = match flag[0] {
        0 => None,
        _ => Some(get_str(r)?),
    };
    let mut seq = [0u8; 8];
    r.read_exact(&mut seq)?;
    let data = get(r)?;
    Ok(Some(Entry {
        ecosystem,
        name,
        id,
        modified,
        seq: u64::from_le_bytes(seq),
        data,
    }))
}

/// The run files written so far (in a temporary directory removed on drop).
#[derive(Default)]
pub struct Runs {
    dir: Option<tempfile::TempDir>,
    files: Vec<PathBuf>,
}

impl Runs {
    /// How many runs were spilled.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// Sorts `entries` and writes them as one run (zstd level 1: the runs
    /// of all of osv.dev are a few hundred MB uncompressed); empties it.
    pub fn spill(&mut self, entries: &mut Vec<Entry>) -> std::io::Result<()> {
        if self.dir.is_none() {
            self.dir = Some(
                tempfile::Builder::new()
                    .prefix("palisade-import.")
                    .tempdir()?,
            );
        }
        let dir = self.dir.as_ref().expect("just set").path();
        let path = dir.join(format!("run-{}", self.files.len()));
        entries.sort_unstable_by(|a, b| a.key().cmp(&b.key()));
        let file = std::fs::File::create(&path)?;
        let mut z = zstd::stream::write::Encoder::new(BufWriter::new(file), 1)?;
        for e in entries.drain(..) {
            write_entry(&mut z, &e)?;
        }
        z.finish()?.flush()?;
        self.files.push(path);
        Ok(())
    }

    /// All entries, the runs' and `last`'s, in key order.
    pub fn merge(mut self, mut last: Vec<Entry>) -> std::io::Result<Merge> {
        last.sort_unstable_by(|a, b| a.key().cmp(&b.key()));
        let mut sources: Vec<Source> = vec![Source::Memory(last.into_iter())];
        for path in &self.files {
            let file = std::fs::File::open(path)?;
            sources.push(Source::File(zstd::stream::read::Decoder::with_buffer(
                BufReader::new(file),
            )?));
        }
        let mut heads = Vec::with_capacity(sources.len());
        for s in &mut sources {
            heads.push(s.next()?);
        }
        Ok(Merge {
            _dir: self.dir.take(),
            sources,
            heads,
        })
    }
}

pub enum Source {
    Memory(std::vec::IntoIter<Entry>),
    File(zstd::stream::read::Decoder<'static, BufReader<std::fs::File>>),
}

impl Source {
    fn next(&mut self) -> std::io::Result<Option<Entry>> {
        match self {
            Source::Memory(it) => Ok(it.next()),
            Source::File(r) => read_entry(r),
        }
    }
}

/// A k-way merge of sorted sources (a handful: a linear scan for the
/// smallest head is enough).
pub struct Merge {
    _dir: Option<tempfile::TempDir>,
    sources: Vec<Source>,
    heads: Vec<Option<Entry>>,
}

impl Iterator for Merge {
    type Item = std::io::Result<Entry>;

    fn next(&mut self) -> Option<Self::Item> {
        let mut best: Option<usize> = None;
        for (i, h) in self.heads.iter().enumerate() {
            let Some(h) = h else { continue };
            if best.is_none_or(|b| h.key() < self.heads[b].as_ref().expect("head is set").key()) {
                best = Some(i);
            }
        }
        let i = best?;
        let next = match self.sources[i].next() {
            Ok(n) => n,
            Err(e) => {
                self.heads.iter_mut().for_each(|h| *h = None);
                return Some(Err(e));
            }
        };
        std::mem::replace(&mut self.heads[i], next).map(Ok)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(eco: &str, name: &str, id: &str, seq: u64) -> Entry {
        Entry {
            ecosystem: eco.into(),
            name: name.into(),
            id: id.into(),
            modified: seq.is_multiple_of(2).then(|| format!("m{seq}")),
            seq,
            data: vec![seq as u8; seq as usize % 7],
        }
    }

    #[test]
    fn runs_merge_in_key_order() {
        let mut runs = Runs::default();
        let mut seq = 0;
        let mut all = Vec::new();
        for batch in 0..4 {
            let mut v = Vec::new();
            for k in 0..25 {
                seq += 1;
                let name = format!("p{}", (k * 7 + batch * 3) % 11);
                all.push((name.clone(), format!("id{}", k % 5), seq));
                v.push(entry("PyPI", &name, &format!("id{}", k % 5), seq));
            }
            if batch < 3 {
                runs.spill(&mut v).unwrap();
                assert!(v.is_empty());
            } else {
                let merged: Vec<Entry> = runs.merge(v).unwrap().map(|e| e.unwrap()).collect();
                all.sort();
                let got: Vec<_> = merged
                    .iter()
                    .map(|e| (e.name.clone(), e.id.clone(), e.seq))
                    .collect();
                assert_eq!(got, all);
                let e = merged.iter().find(|e| e.seq == 2).unwrap();
                assert_eq!(e.modified.as_deref(), Some("m2"));
                assert_eq!(e.data, vec![2u8; 2]);
                return;
            }
        }
    }
}
