//! `cargo run --release -p palisade-vulndb --example match_bench -- DB [N]`:
//! opens DB and matches N packages (default 1000) taken from the database's
//! own keys, spread over its ecosystems, each at a low version so that most
//! advisories apply; prints open time, match time, matches and packages/s.
//! Used by bench/vuln.sh.

use palisade_model::Package;
use palisade_vulndb::{Db, EcosystemOrder, match_packages};
use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("usage: match_bench DB [N]");
    let n: usize = args.next().map(|s| s.parse().expect("N")).unwrap_or(1000);
    let t = Instant::now();
    let db = Db::open(path.as_ref()).unwrap_or_else(|e| panic!("{e}"));
    let open = t.elapsed();
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
    let report = match_packages(&db, &packages, &EcosystemOrder).unwrap_or_else(|e| panic!("{e}"));
    let matching = t.elapsed();
    println!(
        "open {:.2} ms, match {} packages {:.2} ms ({:.0} packages/s), {} matches, {} undetermined, open+match {:.2} ms",
        open.as_secs_f64() * 1e3,
        packages.len(),
        matching.as_secs_f64() * 1e3,
        packages.len() as f64 / matching.as_secs_f64(),
        report.matches.len(),
        report.undetermined.len(),
        (open + matching).as_secs_f64() * 1e3
    );
}
