//! The Berkeley DB rpm database (`Packages`, rpm < 4.16, e.g. RHEL/Rocky 8,
//! CentOS 7, Amazon Linux 2): a Berkeley DB *hash* database whose values
//! are header blobs, read here by hand, read-only, from the file's bytes.
//!
//! What is read: page 0 (hash metadata: magic, byte order, page size, last
//! page), then every hash page's data items. A small value is stored on the
//! page (`H_KEYDATA`); a header blob is usually larger than a page and is
//! an `H_OFFPAGE` item naming the first page of a chain of overflow pages.
//! Keys are not needed: rpm's key is the header number, and key 0's 4-byte
//! value (the next header number) is not a header and is skipped.
//!
//! The file is hostile: page size and counts are checked, every offset is
//! checked against its page, an overflow page can be used by one value only
//! (so a cyclic or shared chain is an error, and the output is never larger
//! than the file), and a bad item is a warning while the rest is read.

/// Hash database magic (`DB_HASHMAGIC`).
const HASH_MAGIC: u32 = 0x0006_1561;
/// Page types (`db_page.h`).
const P_HASH_UNSORTED: u8 = 2;
const P_OVERFLOW: u8 = 7;
const P_HASHMETA: u8 = 8;
const P_HASH: u8 = 13;
/// Hash item types.
const H_KEYDATA: u8 = 1;
const H_OFFPAGE: u8 = 3;
/// Size of the generic page header (`P_OVERHEAD`).
const PAGE_HEADER: usize = 26;
/// Most values read (a hostile file could claim millions).
pub const MAX_VALUES: usize = 1 << 20;
/// Most per-item problems reported.
const MAX_PROBLEMS: usize = 20;

/// The values read, and a note per item that could not be read.
#[derive(Debug, Default)]
pub struct Values {
    pub values: Vec<Vec<u8>>,
    pub problems: Vec<String>,
}

/// Byte order of the database (the order of the machine that wrote it).
#[derive(Clone, Copy)]
struct Order {
    big: bool,
}

impl Order {
    fn u16(self, b: &[u8], at: usize) -> Option<u16> {
        let s: [u8; 2] = b.get(at..at + 2)?.try_into().ok()?;
        Some(if self.big {
            u16::from_be_bytes(s)
        } else {
            u16::from_le_bytes(s)
        })
    }
    fn u32(self, b: &[u8], at: usize) -> Option<u32> {
        let s: [u8; 4] = b.get(at..at + 4)?.try_into().ok()?;
        Some(if self.big {
            u32::from_be_bytes(s)
        } else {
            u32::from_le_bytes(s)
        })
    }
}

struct Db<'a> {
    file: &'a [u8],
    order: Order,
    page_size: usize,
    pages: usize,
}

impl<'a> Db<'a> {
    fn page(&self, n: usize) -> Option<&'a [u8]> {
        self.file
            .get(n.checked_mul(self.page_size)?..)?
            .get(..self.page_size)
    }
}

/// Reads every data value of a Berkeley DB hash database.
pub fn read_values(file: &[u8]) -> Result<Values, String> {
    let magic_le = file
        .get(12..16)
        .map(|b| u32::from_le_bytes(b.try_into().unwrap()));
    let order = match magic_le {
        Some(HASH_MAGIC) => Order { big: false },
        Some(m) if m.swap_bytes() == HASH_MAGIC => Order { big: true },
        Some(_) => return Err("not a Berkeley DB hash database (bad magic)".to_string()),
        None => return Err("truncated Berkeley DB metadata page".to_string()),
    };
    let page_size = order.u32(file, 20).unwrap_or(0) as usize;
    if !(512..=65536).contains(&page_size) || !page_size.is_power_of_two() {
        return Err(format!("Berkeley DB page size {page_size} is not valid"));
    }
    if file.len() < page_size || file[25] != P_HASHMETA {
        return Err("truncated or invalid Berkeley DB hash metadata page".to_string());
    }
    if file[24] != 0 {
        return Err("encrypted Berkeley DB database: not supported".to_string());
    }
    let last_page = order.u32(file, 32).unwrap_or(0) as usize;
    let pages = file.len() / page_size;
    let mut out = Values::default();
    if last_page >= pages {
        problem(
            &mut out.problems,
            format!(
                "last page {last_page} but the file holds {pages} pages (truncated?): reading those"
            ),
        );
    }
    let db = Db {
        file,
        order,
        page_size,
        pages: pages.min(last_page.saturating_add(1)),
    };
    let mut used = vec![false; db.pages];
    for n in 1..db.pages {
        let Some(page) = db.page(n) else { break };
        if page[25] != P_HASH && page[25] != P_HASH_UNSORTED {
            continue;
        }
        let entries = order.u16(page, 20).unwrap_or(0) as usize;
        if PAGE_HEADER + 2 * entries > page_size {
            problem(
                &mut out.problems,
                format!("page {n}: {entries} entries do not fit"),
            );
            continue;
        }
        // Items alternate key, value; values are the odd indexes.
        for i in (1..entries).step_by(2) {
            match item(&db, page, i, &mut used) {
                Ok(Some(v)) => {
                    if out.values.len() >= MAX_VALUES {
                        return Err(format!("more than {MAX_VALUES} values"));
                    }
                    out.values.push(v);
                }
                Ok(None) => {}
                Err(e) => problem(&mut out.problems, format!("page {n}, item {i}: {e}")),
            }
        }
    }
    Ok(out)
}

fn problem(problems: &mut Vec<String>, p: String) {
    if problems.len() < MAX_PROBLEMS {
        problems.push(p);
    } else if problems.len() == MAX_PROBLEMS {
        problems.push("more problems not shown".to_string());
    }
}

/// The value at index `i` of a hash page; `None` for a value too short to
/// be a header (rpm's next-header-number record).
fn item(db: &Db<'_>, page: &[u8], i: usize, used: &mut [bool]) -> Result<Option<Vec<u8>>, String> {
    let at = |k: usize| db.order.u16(page, PAGE_HEADER + 2 * k).map(usize::from);
    let start = at(i).ok_or("index out of the page")?;
    // Items are packed from the end of the page down: an item ends where
    // the previous one starts.
    let end = if i == 0 {
        db.page_size
    } else {
        at(i - 1).ok_or("index out of the page")?
    };
    if start < PAGE_HEADER || start >= end || end > db.page_size {
        return Err(format!("item bounds {start}..{end} out of the page"));
    }
    let bytes = &page[start..end];
    match bytes[0] {
        H_KEYDATA => {
            let v = &bytes[1..];
            Ok((v.len() >= 8).then(|| v.to_vec()))
        }
        H_OFFPAGE => {
            let first = db.order.u32(bytes, 4).ok_or("truncated off-page item")? as usize;
            let total = db.order.u32(bytes, 8).ok_or("truncated off-page item")? as usize;
            overflow(db, first, total, used).map(Some)
        }
        t => Err(format!("item type {t} not expected in rpm's Packages")),
    }
}

/// Follows the overflow chain from page `first`, `total` bytes in all.
fn overflow(db: &Db<'_>, first: usize, total: usize, used: &mut [bool]) -> Result<Vec<u8>, String> {
    if total > (db.pages * db.page_size) {
        return Err(format!("value of {total} bytes is larger than the file"));
    }
    let mut out = Vec::with_capacity(total);
    let mut n = first;
    while out.len() < total {
        if n == 0 || n >= db.pages {
            return Err(format!("overflow page {n} out of the file"));
        }
        if std::mem::replace(&mut used[n], true) {
            return Err(format!(
                "overflow page {n} used twice (cycle or shared chain)"
            ));
        }
        let page = db.page(n).ok_or("overflow page out of the file")?;
        if page[25] != P_OVERFLOW {
            return Err(format!("page {n} is not an overflow page"));
        }
        // On an overflow page the `hf_offset` field holds the bytes used.
        let len = usize::from(db.order.u16(page, 22).unwrap_or(0));
        if len == 0 || PAGE_HEADER + len > db.page_size || out.len() + len > total {
            return Err(format!("overflow page {n}: bad length {len}"));
        }
        out.extend_from_slice(&page[PAGE_HEADER..PAGE_HEADER + len]);
        n = db.order.u32(page, 16).unwrap_or(0) as usize;
    }
    Ok(out)
}
