//! The ndb rpm database (`Packages.db`, rpm's own format, used by SUSE),
//! read by hand, read-only, from the file's bytes.
//!
//! Layout (all integers little-endian, whatever the machine): a 32-byte
//! file header (`RpmP`, version 0, generation, number of slot pages, next
//! package index) at the start of the first of `slotnpages` 4 KiB slot
//! pages; each following 16-byte slot is `Slot`, package index, block
//! offset, block count (blocks are 16 bytes; offset 0 means a free slot).
//! A slot points to a blob: `BlbS`, package index, generation, length, the
//! header blob, padding, then the tail: Adler-32 of everything before it,
//! length again, `BlbE`.
//!
//! Checks follow rpm's own reader (`rpmpkg.c`), but a bad slot or blob is
//! a problem reported for that slot while the others are still read.

const PKGDB_MAGIC: &[u8; 4] = b"RpmP";
const SLOT_MAGIC: &[u8; 4] = b"Slot";
const BLOB_HEAD_MAGIC: &[u8; 4] = b"BlbS";
const BLOB_TAIL_MAGIC: &[u8; 4] = b"BlbE";
const PAGE_SIZE: usize = 4096;
const SLOT_SIZE: usize = 16;
const BLK_SIZE: usize = 16;
const HEADER_SIZE: usize = 32;
const BLOB_HEAD: usize = 16;
const BLOB_TAIL: usize = 12;
/// Most per-slot problems reported.
const MAX_PROBLEMS: usize = 20;

/// The blobs read, and a note per slot that could not be read.
#[derive(Debug, Default)]
pub struct Blobs {
    pub blobs: Vec<Vec<u8>>,
    pub problems: Vec<String>,
}

fn le32(b: &[u8], at: usize) -> u32 {
    // Callers check the bounds first.
    u32::from_le_bytes(b[at..at + 4].try_into().unwrap_or([0; 4]))
}

/// Reads every package blob of an ndb `Packages.db`.
pub fn read_blobs(file: &[u8]) -> Result<Blobs, String> {
    if file.len() < HEADER_SIZE || &file[..4] != PKGDB_MAGIC {
        return Err("not an ndb package database (no RpmP header)".to_string());
    }
    let version = le32(file, 4);
    if version != 0 {
        return Err(format!("ndb version {version} is not supported (only 0)"));
    }
    let slot_pages = le32(file, 12) as usize;
    let slot_end = slot_pages
        .checked_mul(PAGE_SIZE)
        .filter(|&e| e > 0 && e <= file.len())
        .ok_or_else(|| format!("{slot_pages} slot pages do not fit in the file (truncated?)"))?;
    let mut out = Blobs::default();
    // Each blob is at least one block past the slot pages, and a block
    // can belong to one slot only: a hostile file cannot make the output
    // larger than itself.
    let mut next_free_block = slot_end / BLK_SIZE;
    let mut slots: Vec<(u32, usize, usize)> = Vec::new();
    for (i, at) in (HEADER_SIZE..slot_end).step_by(SLOT_SIZE).enumerate() {
        let slot = &file[at..at + SLOT_SIZE];
        if &slot[..4] != SLOT_MAGIC {
            problem(&mut out.problems, format!("slot {i}: bad magic"));
            continue;
        }
        let (index, off, count) = (le32(slot, 4), le32(slot, 8), le32(slot, 12));
        if off == 0 {
            continue;
        }
        slots.push((index, off as usize, count as usize));
    }
    slots.sort_by_key(|&(_, off, _)| off);
    for (index, off, count) in slots {
        if off < next_free_block {
            problem(
                &mut out.problems,
                format!("package {index}: blocks overlap another package or the slot pages"),
            );
            continue;
        }
        match blob(file, index, off, count) {
            Ok(b) => {
                next_free_block = off + count;
                out.blobs.push(b.to_vec());
            }
            Err(e) => problem(&mut out.problems, format!("package {index}: {e}")),
        }
    }
    Ok(out)
}

/// The header blob of package `index` stored in `count` blocks at `off`.
fn blob(file: &[u8], index: u32, off: usize, count: usize) -> Result<&[u8], String> {
    if index == 0 || count * BLK_SIZE < BLOB_HEAD + BLOB_TAIL {
        return Err("bad slot".to_string());
    }
    let region = off
        .checked_mul(BLK_SIZE)
        .and_then(|start| Some(start..start.checked_add(count.checked_mul(BLK_SIZE)?)?))
        .and_then(|r| file.get(r))
        .ok_or("blob out of the file (truncated?)")?;
    let (head, rest) = region.split_at(BLOB_HEAD);
    if &head[..4] != BLOB_HEAD_MAGIC || le32(head, 4) != index {
        return Err("bad blob header".to_string());
    }
    let len = le32(head, 12) as usize;
    if count != (BLOB_HEAD + len + BLOB_TAIL).div_ceil(BLK_SIZE) {
        return Err(format!(
            "blob length {len} does not match its {count} blocks"
        ));
    }
    let tail = &region[region.len() - BLOB_TAIL..];
    if le32(tail, 4) as usize != len || &tail[8..] != BLOB_TAIL_MAGIC {
        return Err("bad blob tail".to_string());
    }
    if le32(tail, 0) != adler32(&region[..region.len() - BLOB_TAIL]) {
        return Err("blob checksum mismatch".to_string());
    }
    Ok(&rest[..len])
}

/// Adler-32 (RFC 1950), the blob checksum.
fn adler32(data: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for chunk in data.chunks(5552) {
        for &x in chunk {
            a += u32::from(x);
            b += a;
        }
        a %= 65521;
        b %= 65521;
    }
    (b << 16) | a
}

fn problem(problems: &mut Vec<String>, p: String) {
    if problems.len() < MAX_PROBLEMS {
        problems.push(p);
    } else if problems.len() == MAX_PROBLEMS {
        problems.push("more problems not shown".to_string());
    }
}
