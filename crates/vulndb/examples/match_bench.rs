//! `cargo run --release -p palisade-vulndb --example match_bench -- DB [N]`:
//! opens DB and matches N packages (default 1000) taken from the database's
//! own keys, spread over its ecosystems, each at a low version so that most
//! advisories apply; prints open time, match time, matches and packages/s.
//! Used by bench/vuln.sh. Also prints the CPU time of open + match
//! (Linux `/proc/self/schedstat`: time on a CPU, in ns), which a loaded
//! machine inflates much less than wall time.

use palisade_model::Package;
use palisade_vulndb::{Db, EcosystemOrder, match_packages};
use std::time::Instant;

/// Nanoseconds this process has spent on a CPU (0 where unknown).
fn cpu_ns() -> u64 {
    std::fs::read_to_string("/proc/self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("usage: match_bench DB [N]");
    let n: usize = args.next().map(|s| s.parse().expect("N")).unwrap_or(1000);
    let t = Instant::now();
    let cpu0 = cpu_ns();
    let db = Db::open(path.as_ref()).unwrap_or_else(|e| panic!("{e}"));
    let open = t.elapsed();
    let open_cpu = cpu_ns() - cpu0;
    let keys: Vec<(String, String)> = db.keys().collect();
    let step = (keys.len() / n).max(1);
    let packages: Vec<Package> = keys
        .iter()
        .step_by(step)
        .take(n)
        .map(|(eco, name)| Package {
            name: name.clone(),
            version: if eco.starts_with("Debian") {
                "0.1-1".into()
            } else {
                "0.0.1".into()
            },
            ecosystem: eco.clone(),
            purl: String::new(),
            arch: None,
            source_name: None,
            source_version: None,
            licenses: vec![],
            locations: vec![],
            files: vec![],
        })
        .collect();
    let t = Instant::now();
    let cpu1 = cpu_ns();
    let report = match_packages(&db, &packages, &EcosystemOrder).unwrap_or_else(|e| panic!("{e}"));
    let matching = t.elapsed();
    let match_cpu = cpu_ns() - cpu1;
    println!(
        "open {:.2} ms, match {} packages {:.2} ms ({:.0} packages/s), {} matches, {} undetermined, open+match {:.2} ms (cpu {:.2} ms)",
        open.as_secs_f64() * 1e3,
        packages.len(),
        matching.as_secs_f64() * 1e3,
        packages.len() as f64 / matching.as_secs_f64(),
        report.matches.len(),
        report.undetermined.len(),
        (open + matching).as_secs_f64() * 1e3,
        (open_cpu + match_cpu) as f64 / 1e6
    );
}
