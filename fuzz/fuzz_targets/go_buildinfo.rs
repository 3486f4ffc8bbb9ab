#![no_main]
//! A Go binary's build information from a (possibly hostile) image: the
//! streaming scanner over the whole file, in chunks of a size the input
//! picks (the answer must not depend on where the chunks cut), and the
//! parser from the magic on.
use libfuzzer_sys::fuzz_target;
use palisade_catalog::golang::{GoAnalyzer, GoFile, parse, read};
use palisade_image::{Analyzer, FileRef, scan_slice};

fuzz_target!(|data: &[u8]| {
    let whole = read(data);
    if let Some((&n, rest)) = data.split_first() {
        let file = FileRef {
            path: "bin/x",
            mode: 0o755,
            size: rest.len() as u64,
            layer: 0,
        };
        let chunked = scan_slice(GoAnalyzer.scanner(file).unwrap(), rest, usize::from(n) + 1);
        let whole_rest = read(rest);
        match (chunked.unwrap(), whole_rest) {
            (None, None) => {}
            (Some(a), Some(Ok(b))) => match a.downcast_ref::<GoFile>() {
                Some(GoFile::Binary(a)) => assert_eq!(a, &b),
                _ => panic!("chunking changed the answer"),
            },
            (Some(_), Some(Err(_))) => {}
            _ => panic!("chunking changed whether build information was found"),
        }
    }
    let _ = whole;
    let mut with_magic = b"\xff Go buildinf:\x08\x02".to_vec();
    with_magic.resize(32, 0);
    with_magic.extend_from_slice(data);
    let _ = parse(&with_magic);
});
