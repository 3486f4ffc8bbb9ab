#![no_main]
//! Version schemes: two strings under every scheme. Beyond "no panic":
//! a parsed version equals itself, and comparing (a, b) is the reverse of
//! comparing (b, a).
use libfuzzer_sys::fuzz_target;
use palisade_versions::Scheme;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    let (a, b) = s.split_once('\n').unwrap_or((s, "1.0"));
    for scheme in Scheme::ALL {
        let (x, y) = (scheme.parse(a), scheme.parse(b));
        if let Ok(x) = &x {
            assert_eq!(x.cmp(x), std::cmp::Ordering::Equal);
        }
        if let (Ok(x), Ok(y)) = (&x, &y) {
            assert_eq!(x.cmp(y), y.cmp(x).reverse(), "{scheme}: {a:?} {b:?}");
            assert_eq!(scheme.compare(a, b).ok(), Some(x.cmp(y)));
        }
    }
});
