//! `cargo run -p palisade-catalog --example inventory -- REF`: one line per
//! package, `ECOSYSTEM<TAB>NAME<TAB>VERSION<TAB>PURL<TAB>LOCATION`, sorted;
//! warnings on stderr. For comparing the inventory with other tools'
//! (bench/RESULTS.md) without building the whole CLI.
use palisade_catalog::{analyzers, build};
use palisade_image::{Analyzer, ImageRef, OpenOptions, WalkOptions, open, walk};

fn main() {
    let arg = std::env::args().nth(1).expect("usage: inventory REF");
    let reference = ImageRef::parse(&arg).unwrap_or_else(|e| panic!("{e}"));
    let image = open(&reference, &OpenOptions::default()).unwrap_or_else(|e| panic!("{e}"));
    let boxed = analyzers();
    let list: Vec<&dyn Analyzer> = boxed.iter().map(|a| a.as_ref()).collect();
    let scan = walk(&image, &list, &WalkOptions::default()).unwrap_or_else(|e| panic!("{e}"));
    let sbom = build(&scan, 0);
    for p in &sbom.packages {
        let loc = p.locations.first().map_or("", |l| l.path.as_str());
        println!(
            "{}\t{}\t{}\t{}\t{loc}",
            p.ecosystem, p.name, p.version, p.purl
        );
    }
    for w in &sbom.warnings {
        eprintln!("warning: {w}");
    }
}
