//! Telling binary content from text.

/// How much of the start of a file the heuristic looks at.
const SNIFF: usize = 8 << 10;

/// Magic numbers of executables, archives, compressed streams, images and
/// databases (all binary even when their first bytes have no NUL).
const MAGIC: &[&[u8]] = &[
    b"\x7fELF",
    b"\xfe\xed\xfa\xce", // Mach-O 32
    b"\xfe\xed\xfa\xcf", // Mach-O 64
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe", // Mach-O fat, Java class
    b"\x1f\x8b",         // gzip
    b"\x28\xb5\x2f\xfd", // zstd
    b"\xfd7zXZ\x00",     // xz
    b"BZh",              // bzip2
    b"PK\x03\x04",       // zip, jar, wheel
    b"7z\xbc\xaf\x27\x1c",
    b"!<arch>\n", // ar, .deb, .a
    b"\x89PNG\r\n\x1a\n",
    b"\xff\xd8\xff", // JPEG
    b"GIF87a",
    b"GIF89a",
    b"%PDF-",
    b"\x00asm",
    b"SQLite format 3\x00",
    b"\xed\xab\xee\xdb", // rpm
];

/// Heuristic: binary content (executables and archives by magic number,
/// NUL bytes in the first 8 KiB, or a high ratio of non-text bytes there)
/// is not scanned. Empty content is text.
pub fn is_binary(content: &[u8]) -> bool {
    let head = &content[..content.len().min(SNIFF)];
    if head.is_empty() {
        return false;
    }
    if MAGIC.iter().any(|m| head.starts_with(m)) || is_pe(head) {
        return true;
    }
    if memchr::memchr(0, head).is_some() {
        return true;
    }
    // Control characters other than whitespace and ESC (colour codes in logs).
    let control = head
        .iter()
        .filter(|&&b| {
            (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0b | 0x0c | 0x1b)) || b == 0x7f
        })
        .count();
    if control * 10 > head.len() {
        return true;
    }
    match std::str::from_utf8(head) {
        Ok(_) => false,
        // Valid UTF-8 cut in the middle of a character at the sniff boundary.
        Err(e) if e.error_len().is_none() => false,
        // Legacy 8-bit text (Latin-1 comments) has few high bytes.
        Err(_) => head.iter().filter(|&&b| b >= 0x80).count() * 10 > head.len() * 3,
    }
}

/// A DOS `MZ` header whose `e_lfanew` points at a `PE\0\0` signature.
fn is_pe(head: &[u8]) -> bool {
    if !head.starts_with(b"MZ") || head.len() < 0x40 {
        return false;
    }
    let off = u32::from_le_bytes([head[0x3c], head[0x3d], head[0x3e], head[0x3f]]) as usize;
    head.get(off..off.saturating_add(4)) == Some(b"PE\0\0")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_not_binary() {
        assert!(!is_binary(b""));
        assert!(!is_binary(b"KEY=value\n"));
        assert!(!is_binary("héllo wörld, ça va\n".as_bytes()));
        assert!(!is_binary(b"\x1b[31mred\x1b[0m log line\n"));
        // Latin-1 comment in an otherwise ASCII file.
        let mut latin1 = b"# Copyright J\xf6rg\n".to_vec();
        latin1.extend_from_slice(&b"x = 1\n".repeat(20));
        assert!(!is_binary(&latin1));
        // A multi-byte character cut at the 8 KiB boundary.
        let mut cut = vec![b'a'; SNIFF - 1];
        cut.extend_from_slice("é".as_bytes());
        assert!(!is_binary(&cut));
    }

    #[test]
    fn binaries_are_binary() {
        assert!(is_binary(b"\x7fELF\x02\x01\x01"));
        assert!(is_binary(b"\x1f\x8b\x08\x00"));
        assert!(is_binary(b"PK\x03\x04rest"));
        assert!(is_binary(b"text\0with nul"));
        assert!(is_binary(&[0x01u8, 0x02, 0x03, 0x04, b'a', b'b']));
        let random: Vec<u8> = (0..4096u32)
            .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8 | 0x80)
            .collect();
        assert!(is_binary(&random));
        let mut pe = vec![0u8; 0x100];
        pe[..2].copy_from_slice(b"MZ");
        pe[0x3c] = 0x80;
        pe[0x80..0x84].copy_from_slice(b"PE\0\0");
        assert!(is_pe(&pe));
        assert!(!is_pe(
            b"MZ is a text file that starts with MZ and is long enough to look at here"
        ));
    }
}
