#![no_main]
//! An OpenVEX document (`--vex`): parse it and ask it about one
//! vulnerability finding. Errors are fine; panics are not.
use libfuzzer_sys::fuzz_target;
use palisade_model::{Finding, Severity, Vulnerability};
use palisade_vulndb::vex::Vex;

fuzz_target!(|data: &[u8]| {
    if let Ok(vex) = Vex::parse(data, "fuzz.json") {
        let f = Finding {
            rule: "CVE-2018-18074".into(),
            severity: Severity::High,
            title: String::new(),
            message: String::new(),
            location: Default::default(),
            fix: None,
            references: vec![],
            vulnerability: Some(Box::new(Vulnerability {
                id: "CVE-2018-18074".into(),
                aliases: vec!["GHSA-x84v-xcm2-53pg".into()],
                purl: "pkg:pypi/requests@2.19.1".into(),
                ..Default::default()
            })),
        };
        let _ = vex.suppresses(&f);
    }
});
