//! VQ-VAE's views: reconstructions through the codebook, the codebook's usage (dead codes
//! marked), and code grids drawn from the prior beside their decodings.

use burn::prelude::*;

use super::VqVae;
use crate::data::digits::LEVELS;
use crate::family::{ViewInfo, ViewInput, ViewKind, ViewUnits};
use crate::models::grey_levels::{cell_centres, levels_of, one_hot};
use crate::models::tiles::{first_rows, tiles};

/// Images in the reconstruction and prior-sample views.
const SHOWN: usize = 8;

/// The views of a VQ-VAE.
pub(super) fn views() -> Vec<ViewInfo> {
    vec![
        ViewInfo {
            name: "reconstruction",
            units: ViewUnits::Unitless,
            title: "Reconstructions through the codebook",
            description: "top: data digits; bottom: each decoded from its 4×4 grid of nearest \
                          codebook entries (every pixel at its most probable level)",
            input: ViewInput::Data,
            kind: ViewKind::Images,
            parameter: None,
        },
        ViewInfo {
            name: "codebook",
            units: ViewUnits::Unitless,
            title: "Codebook usage",
            description: "top: what each codebook entry decodes to when it fills the whole grid \
                          (marked: a dead code, the nearest entry of no cell of these data \
                          digits); bottom: how often each entry is used, as brightness relative \
                          to the most used",
            input: ViewInput::Data,
            kind: ViewKind::Images,
            parameter: None,
        },
        ViewInfo {
            name: "prior_samples",
            units: ViewUnits::Unitless,
            title: "Codes drawn from the prior",
            description: "top: 4×4 code grids drawn token by token from the transformer prior \
                          (grey: the code's index, each code covering 2×2 pixels); bottom: their \
                          decodings (every pixel at its most probable level)",
            input: ViewInput::State,
            kind: ViewKind::Images,
            parameter: None,
        },
    ]
}

/// Every pixel's most probable level from logits `[n, P, levels]`, as cell centres `[n, P]`.
fn modes(logits: Tensor<3>) -> Tensor<2> {
    let [n, pixels, _] = logits.dims();
    cell_centres(logits.argmax(2).float().reshape([n, pixels]), LEVELS)
}

impl VqVae {
    /// Up to 8 `images` above their reconstructions, `[2, k · P]`.
    pub(super) fn reconstructions(&self, images: Tensor<2>) -> Tensor<2> {
        let v = levels_of(first_rows(images, SHOWN), LEVELS); // [k, P]
        let k = v.dims()[0];
        let ae = self.net.module.valid().autoencoder;
        let q = ae.quantise(ae.encode(v.clone(), LEVELS));
        let rows = vec![cell_centres(v, LEVELS), modes(ae.decode(q.quantised))];
        tiles(Tensor::cat(rows, 0), k)
    }

    /// Each codebook entry decoded from a grid of it alone (NaN where no cell of `images` uses
    /// it), above its usage share relative to the most used entry: `[2, codes · P]`.
    pub(super) fn codebook_usage(&self, images: Tensor<2>) -> Tensor<2> {
        let ae = self.net.module.valid().autoencoder;
        let (codes, cells) = (ae.codes(), ae.cells());
        let v = levels_of(images, LEVELS);
        let n = v.dims()[0];
        let used = ae.quantise(ae.encode(v, LEVELS)).codes; // [n, cells]
        let counts = one_hot(used, codes)
            .reshape([n * cells, codes])
            .sum_dim(0)
            .reshape([codes, 1]); // [codes, 1]
        let index = Tensor::<1, Int>::arange(0..codes as i64, &self.device); // [codes]
        let grids = index.unsqueeze_dim::<2>(1).repeat_dim(1, cells); // [codes, cells]
        let decoded = modes(ae.decode(ae.entries(grids.reshape([codes * cells]))));
        let dead = counts.clone().equal_elem(0.0).repeat_dim(1, self.pixels); // [codes, P]
        let share = (counts.clone() / counts.max().clamp_min(1.0).unsqueeze::<2>())
            .repeat_dim(1, self.pixels); // [codes, P]
        tiles(
            Tensor::cat(vec![decoded.mask_fill(dead, f32::NAN), share], 0),
            codes,
        )
    }

    /// 8 code grids from the prior (upsampled, grey = index) above their decodings, `[2, 8 · P]`.
    pub(super) fn prior_samples(&self) -> Tensor<2> {
        let grids = self.prior_codes(SHOWN); // [8, cells]
        let half = (self.pixels as f64).sqrt() as usize / 2;
        let top = (self.codes() - 1).max(1) as f32;
        let shown = (grids.clone() / top)
            .reshape([SHOWN, half, 1, half, 1])
            .repeat_dim(2, 2)
            .repeat_dim(4, 2)
            .reshape([SHOWN, self.pixels]); // [8, P]
        let rows = vec![shown, modes(self.decode_codes(grids))];
        tiles(Tensor::cat(rows, 0), SHOWN)
    }
}
