//! The interim Debian order against the real `dpkg --compare-versions`,
//! over versions that appear in the Debian OSV data (a bundled sample)
//! and hand-picked edge cases.

use palisade_vulndb::order::dpkg_compare;
use std::cmp::Ordering;
use std::process::Command;

const VERSIONS: &[&str] = &[
    "0",
    "1.0",
    "1.0-1",
    "1.0-1+deb12u1",
    "1.0-1~deb12u1",
    "1:0.9",
    "1.0~rc1",
    "1.0~rc1-1",
    "1.0+dfsg-1",
    "1.0a",
    "1.0.a",
    "1.0-1.1",
    "2.36-9+deb12u4",
    "2.36-9+deb12u10",
    "3.0.11-1~deb12u2",
    "3.0.15-1~deb12u1",
    "1:1.2.13.dfsg-1",
    "1.2.13.dfsg-1",
    "5.36.0-7+deb12u1",
    "2.38.1-5+deb12u3",
    "10.42-1",
    "1.5.4+dfsg2-5",
    "1.34+dfsg-1.2+deb12u1",
    "0.0.0~git20230101",
    "1.0-0.1",
    "1.00",
    "1.0-10",
    "1.0-9",
    "1.0+b1",
    "1.0~~a",
    "2:1.0",
    "1.0-a",
    "1.0-+",
    "7.88.1-10+deb12u8",
    "7.88.1-10+deb12u12",
];

#[test]
fn dpkg_agrees_with_dpkg() {
    if Command::new("dpkg").arg("--version").output().is_err() {
        if std::env::var_os("PALISADE_SKIP_PEER_TESTS").is_some() {
            eprintln!("SKIPPED: dpkg not installed");
            return;
        }
        panic!(
            "dpkg is needed as the oracle (apt-get install dpkg), or set PALISADE_SKIP_PEER_TESTS=1"
        );
    }
    let mut n = 0;
    for a in VERSIONS {
        for b in VERSIONS {
            let ours = dpkg_compare(a, b).unwrap_or_else(|| panic!("{a} / {b} did not parse"));
            let op = match ours {
                Ordering::Less => "lt",
                Ordering::Equal => "eq",
                Ordering::Greater => "gt",
            };
            let ok = Command::new("dpkg")
                .args(["--compare-versions", a, op, b])
                .status()
                .unwrap()
                .success();
            assert!(ok, "dpkg disagrees: {a} {op} {b}");
            n += 1;
        }
    }
    eprintln!("{n} pairs agree with dpkg");
}
