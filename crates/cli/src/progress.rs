//! Progress bars on stderr, one per layer, only when stderr is a terminal.

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use palisade_image::Progress;
use std::io::IsTerminal;

pub struct LayerBars {
    multi: MultiProgress,
    bars: Vec<ProgressBar>,
}

impl LayerBars {
    /// Bars for `sizes` (compressed layer sizes), or `None` when quiet or not on a terminal.
    pub fn new(sizes: &[Option<u64>], quiet: bool) -> Option<LayerBars> {
        if quiet || !std::io::stderr().is_terminal() {
            return None;
        }
        let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
        let style = ProgressStyle::with_template(
            "{prefix:>10} [{bar:30}] {bytes:>10}/{total_bytes:<10} {bytes_per_sec:>12}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
        let bars = sizes
            .iter()
            .enumerate()
            .map(|(i, size)| {
                let bar = multi.add(ProgressBar::new(size.unwrap_or(0)));
                bar.set_style(style.clone());
                bar.set_prefix(format!("layer {}", i + 1));
                bar
            })
            .collect();
        Some(LayerBars { multi, bars })
    }

    pub fn clear(&self) {
        let _ = self.multi.clear();
    }
}

impl Progress for LayerBars {
    fn advance(&self, index: usize, n: u64) {
        if let Some(b) = self.bars.get(index) {
            b.inc(n);
        }
    }
    fn layer_finished(&self, index: usize) {
        if let Some(b) = self.bars.get(index) {
            b.finish();
        }
    }
}
