//! Shared by the differential tests: the version strings of the OSV data
//! in `../shared/vulndata`, pair generation, and one batched oracle process
//! per scheme.

#![allow(dead_code)]

use palisade_versions::Scheme;
use std::cmp::Ordering;
use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The repository root (this crate is `crates/versions`).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `$PALISADE_VULNDATA`, else `../shared/vulndata` next to the clone.
pub fn vulndata_dir() -> Option<PathBuf> {
    let dir = match std::env::var_os("PALISADE_VULNDATA") {
        Some(d) => PathBuf::from(d),
        None => repo_root().join("../shared/vulndata"),
    };
    dir.is_dir().then_some(dir)
}

/// Every version string in `<ecosystem>/all.zip`: range events (except GIT
/// ranges, whose events are commits) and `versions` lists of the affected
/// entries whose ecosystem maps to `scheme`. `None` (with the reason
/// printed) when the data is absent.
pub fn osv_versions(ecosystem: &str, scheme: Scheme) -> Option<BTreeSet<String>> {
    let Some(dir) = vulndata_dir() else {
        eprintln!(
            "SKIPPED vulndata versions: no ../shared/vulndata next to the clone and PALISADE_VULNDATA unset"
        );
        return None;
    };
    let path = dir.join(ecosystem).join("all.zip");
    let file = match std::fs::File::open(&path) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("SKIPPED vulndata versions: {}: {e}", path.display());
            return None;
        }
    };
    let mut zip = zip::ZipArchive::new(file).expect("all.zip is a zip");
    let mut out = BTreeSet::new();
    let mut text = String::new();
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).expect("zip entry");
        text.clear();
        entry.read_to_string(&mut text).expect("entry is UTF-8");
        let record: serde_json::Value = serde_json::from_str(&text).expect("entry is JSON");
        for affected in record["affected"].as_array().into_iter().flatten() {
            let eco = affected["package"]["ecosystem"].as_str().unwrap_or("");
            if Scheme::for_ecosystem(eco) != Some(scheme) {
                continue;
            }
            for range in affected["ranges"].as_array().into_iter().flatten() {
                if range["type"].as_str() == Some("GIT") {
                    continue;
                }
                for event in range["events"].as_array().into_iter().flatten() {
                    for key in ["introduced", "fixed", "last_affected", "limit"] {
                        if let Some(v) = event[key].as_str() {
                            out.insert(v.to_string());
                        }
                    }
                }
            }
            for v in affected["versions"].as_array().into_iter().flatten() {
                if let Some(v) = v.as_str() {
                    out.insert(v.to_string());
                }
            }
        }
    }
    Some(out)
}

/// Variants of real versions that probe the corners of every scheme.
pub fn mutations(versions: &BTreeSet<String>, limit: usize) -> BTreeSet<String> {
    const SUFFIXES: [&str; 16] = [
        "~",
        "~rc1",
        "-1",
        ".0",
        "a",
        "-alpha",
        ".post1",
        "+b1",
        "-rc.1",
        "_p1",
        "-r1",
        ".dev0",
        "-SNAPSHOT",
        "^1",
        ".Final",
        "-0",
    ];
    let mut out = BTreeSet::new();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for v in versions
        .iter()
        .step_by((versions.len() / limit.max(1)).max(1))
    {
        out.insert(format!("{v}{}", SUFFIXES[rng.below(SUFFIXES.len())]));
        out.insert(format!("{}{v}", ["v", "1:", "0", "go"][rng.below(4)]));
        out.insert(v.to_uppercase());
    }
    out
}

/// Deterministic xorshift, so failures reproduce.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Pairs over `versions`: each with its neighbours in sorted order (close
/// versions are where schemes differ) and with random others.
pub fn pairs(versions: &[String], random_per_version: usize) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    for i in 0..versions.len() {
        out.push((i, i));
        for d in 1..=3 {
            if i + d < versions.len() {
                out.push((i, i + d));
            }
        }
        for _ in 0..random_per_version {
            out.push((i, rng.below(versions.len())));
        }
    }
    out
}

/// Is the test run allowed to skip when an oracle is missing?
pub fn may_skip() -> bool {
    ["PALISADE_SKIP_ORACLE_TESTS", "PALISADE_SKIP_PEER_TESTS"]
        .iter()
        .any(|v| std::env::var(v).as_deref() == Ok("1"))
}

/// Checks that `program` runs; if not, skips (returns false) when allowed,
/// else panics with the install hint.
pub fn require(program: &str, args: &[&str], hint: &str) -> bool {
    let ok = Command::new(program)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        if may_skip() {
            eprintln!("SKIPPED: oracle missing ({program}); {hint}");
            return false;
        }
        panic!(
            "oracle missing: `{program} {}` failed; {hint} (or set PALISADE_SKIP_ORACLE_TESTS=1)",
            args.join(" ")
        );
    }
    true
}

pub fn oracle_script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/oracles")
        .join(name)
}

/// The oracle's verdicts: for each version whether it accepts it, for each
/// pair the ordering (pairs with a refused side have `None`).
pub struct Verdicts {
    pub valid: Vec<bool>,
    pub order: Vec<Option<Ordering>>,
}

/// Runs one oracle process over everything. Protocol (stdin, one line
/// each): `v<TAB>version` answers `1` (valid) or `0`; `c<TAB>a<TAB>b`
/// answers `-1`, `0`, `1`, or `E` when the oracle refuses either side.
pub fn run_oracle(cmd: &mut Command, versions: &[String], pairs: &[(usize, usize)]) -> Verdicts {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("oracle starts");
    let mut stdin = child.stdin.take().expect("stdin");
    let mut input = String::new();
    for v in versions {
        input.push_str(&format!("v\t{v}\n"));
    }
    for &(a, b) in pairs {
        input.push_str(&format!("c\t{}\t{}\n", versions[a], versions[b]));
    }
    // Write from a thread while reading here, so neither pipe fills up;
    // closing stdin ends the oracle.
    let writer =
        std::thread::spawn(move || stdin.write_all(input.as_bytes()).expect("write to oracle"));
    let mut output = String::new();
    child
        .stdout
        .take()
        .expect("stdout")
        .read_to_string(&mut output)
        .expect("read oracle output");
    writer.join().expect("writer");
    let status = child.wait().expect("oracle exits");
    assert!(status.success(), "oracle failed: {status}");
    let mut lines = output.lines();
    let valid = versions
        .iter()
        .map(|_| lines.next().expect("oracle ended early") == "1")
        .collect();
    let order = pairs
        .iter()
        .map(|p| match lines.next().expect("oracle ended early") {
            "-1" => Some(Ordering::Less),
            "0" => Some(Ordering::Equal),
            "1" => Some(Ordering::Greater),
            "E" => None,
            other => panic!("oracle answered {other:?} for {p:?}"),
        })
        .collect();
    Verdicts { valid, order }
}

/// Result of a differential run, printed and checked by each test.
pub struct Report {
    pub scheme: Scheme,
    pub versions: usize,
    pub from_osv: usize,
    /// OSV versions the oracle refuses, and those palisade refuses.
    pub osv_oracle_rejects: Vec<String>,
    pub osv_we_reject: Vec<String>,
    pub pairs_compared: usize,
    pub oracle_rejects: Vec<String>,
    pub we_reject_oracle_accepts: Vec<String>,
    pub we_accept_oracle_rejects: Vec<String>,
    pub order_mismatches: Vec<String>,
}

/// Compares palisade with the oracle over `versions` and `pairs`.
pub fn differential(
    scheme: Scheme,
    oracle: &mut Command,
    versions: &BTreeSet<String>,
    osv: &BTreeSet<String>,
    random_per_version: usize,
) -> Report {
    // The line protocol cannot carry tabs or newlines; no real version has them.
    let versions: Vec<String> = versions
        .iter()
        .filter(|v| !v.contains(['\t', '\n', '\r']))
        .cloned()
        .collect();
    let pairs = pairs(&versions, random_per_version);
    let verdicts = run_oracle(oracle, &versions, &pairs);
    let ours: Vec<_> = versions.iter().map(|v| scheme.parse(v)).collect();
    let mut report = Report {
        scheme,
        versions: versions.len(),
        from_osv: osv.len(),
        osv_oracle_rejects: Vec::new(),
        osv_we_reject: Vec::new(),
        pairs_compared: 0,
        oracle_rejects: Vec::new(),
        we_reject_oracle_accepts: Vec::new(),
        we_accept_oracle_rejects: Vec::new(),
        order_mismatches: Vec::new(),
    };
    for (i, v) in versions.iter().enumerate() {
        if osv.contains(v) {
            if !verdicts.valid[i] {
                report.osv_oracle_rejects.push(v.clone());
            }
            if ours[i].is_err() {
                report.osv_we_reject.push(v.clone());
            }
        }
        match (ours[i].is_ok(), verdicts.valid[i]) {
            (false, false) => report.oracle_rejects.push(v.clone()),
            (false, true) => report
                .we_reject_oracle_accepts
                .push(format!("{v:?}: {}", ours[i].as_ref().unwrap_err())),
            (true, false) => report.we_accept_oracle_rejects.push(v.clone()),
            (true, true) => {}
        }
    }
    for (k, &(a, b)) in pairs.iter().enumerate() {
        let (Some(expected), Ok(x), Ok(y)) = (verdicts.order[k], &ours[a], &ours[b]) else {
            continue;
        };
        report.pairs_compared += 1;
        let got = x.cmp(y);
        if got != expected {
            report.order_mismatches.push(format!(
                "{:?} vs {:?}: palisade {got:?}, oracle {expected:?}",
                versions[a], versions[b]
            ));
        }
    }
    report
}

impl Report {
    /// Prints the counts (run with `--nocapture` to see them) and examples.
    pub fn print(&self, oracle: &str) {
        println!(
            "{}: {} versions ({} from OSV data), {} pairs compared with {oracle}; oracle refused {} (we agree), we refuse {} it accepts, we accept {} it refuses, {} order mismatches",
            self.scheme,
            self.versions,
            self.from_osv,
            self.pairs_compared,
            self.oracle_rejects.len(),
            self.we_reject_oracle_accepts.len(),
            self.we_accept_oracle_rejects.len(),
            self.order_mismatches.len()
        );
        let show = |title: &str, list: &[String]| {
            if !list.is_empty() {
                println!("  {title} ({}), first ones:", list.len());
                for item in list.iter().take(15) {
                    println!("    {item}");
                }
            }
        };
        println!(
            "  of the {} OSV versions: the oracle refuses {}, palisade refuses {}",
            self.from_osv,
            self.osv_oracle_rejects.len(),
            self.osv_we_reject.len()
        );
        show("OSV versions the oracle refuses", &self.osv_oracle_rejects);
        show("OSV versions palisade refuses", &self.osv_we_reject);
        show("oracle refused", &self.oracle_rejects);
        show("we refuse, oracle accepts", &self.we_reject_oracle_accepts);
        show("we accept, oracle refuses", &self.we_accept_oracle_rejects);
        show("order mismatches", &self.order_mismatches);
    }
}

/// Random short strings over `alphabet`, most starting with a digit, to
/// probe what real data does not contain.
pub fn random_strings(alphabet: &str, count: usize, seed: u64) -> BTreeSet<String> {
    let chars: Vec<char> = alphabet.chars().collect();
    let mut rng = Rng(seed | 1);
    (0..count)
        .map(|_| {
            let len = 1 + rng.below(12);
            let mut s = String::new();
            if rng.below(4) != 0 {
                s.push(char::from(b'0' + rng.below(10) as u8));
            }
            for _ in 0..len {
                s.push(chars[rng.below(chars.len())]);
            }
            s
        })
        .collect()
}
