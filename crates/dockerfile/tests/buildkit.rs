//! The parser against BuildKit's own parser test data
//! (tests/data/buildkit, see SOURCE.md there): every `testfiles/*/Dockerfile`
//! must parse and dump exactly as its `result` file says; every
//! `testfiles-negative/*/Dockerfile` must be rejected.

use std::path::Path;

fn cases(dir: &str) -> Vec<std::path::PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/buildkit")
        .join(dir);
    let mut v: Vec<_> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .map(|e| e.unwrap().path())
        .collect();
    v.sort();
    v
}

#[test]
fn buildkit_positive_testfiles_dump_as_expected() {
    let cases = cases("testfiles");
    assert!(cases.len() >= 30, "expected BuildKit's test files");
    let mut failures = Vec::new();
    for case in &cases {
        let data = std::fs::read(case.join("Dockerfile")).unwrap();
        let expected = std::fs::read_to_string(case.join("result")).unwrap();
        match palisade_dockerfile::parse_bytes(&data) {
            Ok(df) => {
                let got = palisade_dockerfile::dump::dump(&df);
                if got != expected {
                    failures.push(format!(
                        "{}:\n--- expected\n{expected}--- got\n{got}",
                        case.display()
                    ));
                }
            }
            Err(e) => failures.push(format!("{}: {e}", case.display())),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn buildkit_negative_testfiles_are_rejected() {
    let cases = cases("testfiles-negative");
    assert_eq!(cases.len(), 4);
    for case in &cases {
        let data = std::fs::read(case.join("Dockerfile")).unwrap();
        let r = palisade_dockerfile::parse_bytes(&data);
        assert!(r.is_err(), "{} parsed: {r:?}", case.display());
    }
}
