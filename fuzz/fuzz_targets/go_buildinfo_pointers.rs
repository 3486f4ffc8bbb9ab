#![no_main]
//! Go < 1.18 (pointer-format) build information in a (possibly hostile)
//! ELF file. The input is wrapped in a well-formed ELF header (class and
//! byte order from its first byte) with one program header mapping the
//! whole file at 0x10000 and one taken from the input, then a pointer-format
//! header whose two pointers come from the input, so that the pointer
//! resolution (string headers, strings, `.bss`, windows kept from the
//! stream) is reached. Checks: no panic, and the answer does not depend on
//! where the chunks cut the file.
use libfuzzer_sys::fuzz_target;
use palisade_catalog::golang::{GoAnalyzer, GoFile, read};
use palisade_image::{Analyzer, FileRef, scan_slice};

fn put(out: &mut Vec<u8>, v: u64, size: usize, big: bool) {
    let b = v.to_le_bytes();
    let mut b = b[..size].to_vec();
    if big {
        b.reverse();
    }
    out.extend_from_slice(&b);
}

fn word(data: &mut &[u8]) -> u64 {
    let (w, rest) = data.split_at(data.len().min(8));
    *data = rest;
    let mut b = [0u8; 8];
    b[..w.len()].copy_from_slice(w);
    u64::from_le_bytes(b)
}

fuzz_target!(|input: &[u8]| {
    let Some((&mode, mut data)) = input.split_first() else {
        return;
    };
    let wide = mode & 1 == 0;
    let big = mode & 2 != 0;
    let chunk = usize::from(mode >> 2) + 1;
    let p = if wide { 8 } else { 4 };
    let (ehsize, phentsize) = if wide { (64, 56) } else { (52, 32) };
    let user_seg = [
        word(&mut data),
        word(&mut data),
        word(&mut data),
        word(&mut data),
    ];
    let ptrs = [word(&mut data), word(&mut data)];
    let body_len = 2 * phentsize + 48 + data.len();
    let total = (ehsize + body_len) as u64 + 16;

    let mut f = b"\x7fELF".to_vec();
    f.push(if wide { 2 } else { 1 });
    f.push(if big { 2 } else { 1 });
    f.push(1);
    f.resize(16, 0);
    put(&mut f, 2, 2, big); // e_type
    put(&mut f, 62, 2, big); // e_machine
    put(&mut f, 1, 4, big); // e_version
    put(&mut f, 0, p, big); // e_entry
    put(&mut f, ehsize as u64, p, big); // e_phoff
    put(&mut f, 0, p, big); // e_shoff
    put(&mut f, 0, 4, big); // e_flags
    put(&mut f, ehsize as u64, 2, big);
    put(&mut f, phentsize as u64, 2, big);
    put(&mut f, 2, 2, big); // e_phnum
    put(&mut f, 0, 2, big);
    put(&mut f, 0, 2, big);
    put(&mut f, 0, 2, big);
    for (offset, vaddr, filesz, memsz) in [
        (0, 0x10000, total, total + 0x1000),
        (user_seg[0], user_seg[1], user_seg[2], user_seg[3]),
    ] {
        put(&mut f, 1, 4, big); // PT_LOAD
        if wide {
            put(&mut f, 6, 4, big);
            put(&mut f, offset, 8, big);
            put(&mut f, vaddr, 8, big);
            put(&mut f, vaddr, 8, big);
            put(&mut f, filesz, 8, big);
            put(&mut f, memsz, 8, big);
            put(&mut f, 0x1000, 8, big);
        } else {
            put(&mut f, offset, 4, big);
            put(&mut f, vaddr, 4, big);
            put(&mut f, vaddr, 4, big);
            put(&mut f, filesz, 4, big);
            put(&mut f, memsz, 4, big);
            put(&mut f, 6, 4, big);
            put(&mut f, 0x1000, 4, big);
        }
    }
    f.resize(f.len().next_multiple_of(16), 0);
    f.extend_from_slice(b"\xff Go buildinf:");
    f.push(p as u8);
    f.push(u8::from(big));
    put(&mut f, ptrs[0], p, big);
    put(&mut f, ptrs[1], p, big);
    f.resize(f.len().next_multiple_of(16), 0);
    f.extend_from_slice(data);

    let whole = read(&f);
    let file = FileRef {
        path: "bin/x",
        mode: 0o755,
        size: f.len() as u64,
        layer: 0,
    };
    let chunked = scan_slice(GoAnalyzer.scanner(file).unwrap(), &f, chunk).unwrap();
    match (chunked, whole) {
        (None, None) => {}
        (Some(a), Some(Ok(b))) => match a.downcast_ref::<GoFile>() {
            Some(GoFile::Binary(a)) => assert_eq!(a, &b),
            other => panic!("chunking changed the answer: {other:?} vs {b:?}"),
        },
        (Some(a), Some(Err(_))) => {
            assert!(
                !matches!(a.downcast_ref::<GoFile>(), Some(GoFile::Binary(_))),
                "chunking changed the answer"
            )
        }
        _ => panic!("chunking changed whether build information was found"),
    }
});
