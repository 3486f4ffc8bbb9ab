//! Sorts the versions on stdin (one a line) under a scheme, for
//! bench/versions.sh: `sort_versions ECOSYSTEM < versions.txt`.
//! Prints the number of versions sorted and refused, and the time to parse
//! and to sort, on stderr; the sorted versions on stdout.

use palisade_versions::Scheme;
use std::io::{BufRead, Write};
use std::time::Instant;

fn main() {
    let ecosystem = std::env::args().nth(1).unwrap_or_else(|| "Debian".into());
    let Some(scheme) = Scheme::for_ecosystem(&ecosystem) else {
        eprintln!("no version scheme for ecosystem {ecosystem:?}");
        std::process::exit(2);
    };
    let lines: Vec<String> = std::io::stdin()
        .lock()
        .lines()
        .map_while(Result::ok)
        .collect();
    let start = Instant::now();
    let mut parsed: Vec<_> = lines
        .iter()
        .filter_map(|l| scheme.parse(l).ok().map(|v| (v, l)))
        .collect();
    let parse_time = start.elapsed();
    let start = Instant::now();
    parsed.sort_by(|a, b| a.0.cmp(&b.0));
    let sort_time = start.elapsed();
    eprintln!(
        "{scheme}: {} versions sorted, {} refused; parse {:.1} ms, sort {:.1} ms",
        parsed.len(),
        lines.len() - parsed.len(),
        parse_time.as_secs_f64() * 1e3,
        sort_time.as_secs_f64() * 1e3
    );
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for (_, line) in &parsed {
        let _ = writeln!(out, "{line}");
    }
}
