//! Walks an image and prints counts: the layer walk alone, for profiling
//! and for the memory benchmark (`cargo run --release --example walk REF`).

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let reference = std::env::args().nth(1).ok_or("usage: walk REF")?;
    let image = palisade_image::open(
        &palisade_image::ImageRef::parse(&reference)?,
        &Default::default(),
    )?;
    // WALK_SKIP_DIFF_IDS=1 measures the walk without the diff-id hash.
    let options = palisade_image::WalkOptions {
        verify_diff_ids: std::env::var_os("WALK_SKIP_DIFF_IDS").is_none(),
        ..Default::default()
    };
    let scan = palisade_image::walk(&image, &[], &options)?;
    let eff = scan.fs.efficiency();
    println!(
        "{} layers, {} paths, {} removed, efficiency {:.6}, wasted {} B",
        scan.layers.len(),
        scan.fs.len(),
        scan.fs.removed().len(),
        eff.score,
        eff.wasted_bytes
    );
    Ok(())
}
