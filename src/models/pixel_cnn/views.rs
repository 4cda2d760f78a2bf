//! PixelCNN's views: sampling pixel by pixel (every intermediate image, for the page to show
//! progressively) and completion of held-out images whose bottom half is erased.

use burn::prelude::*;

use super::PixelCnn;
use crate::family::{ViewInfo, ViewInput, ViewKind, ViewParameter, ViewUnits};
use crate::models::tiles::{erased_from, first_rows, tiles};

/// Images drawn by the pixel-by-pixel view.
const PROGRESSIVE_IMAGES: usize = 16;
/// Images completed by the completion view.
const COMPLETIONS: usize = 8;

/// The views of a PixelCNN on images of `pixels` pixels.
pub(super) fn views(pixels: usize) -> Vec<ViewInfo> {
    vec![
        ViewInfo {
            name: "pixel_by_pixel",
            units: ViewUnits::Unitless,
            title: "Sampling pixel by pixel",
            description: "16 images drawn in raster order, one network pass per pixel: stage k \
                          shows the first k pixels drawn (not yet drawn: marked)",
            input: ViewInput::State,
            kind: ViewKind::Stages,
            parameter: Some(ViewParameter {
                name: "pixel",
                default: pixels as f32,
                min: 0.0,
                max: pixels as f32,
            }),
        },
        ViewInfo {
            name: "completion",
            units: ViewUnits::Unitless,
            title: "Completion of a half-erased digit",
            description: "held-out images (top), their top half given and the bottom erased \
                          (middle), and the bottom half drawn from p(v_i | v_<i) (bottom)",
            input: ViewInput::Data,
            kind: ViewKind::Images,
            parameter: None,
        },
    ]
}

impl PixelCnn {
    /// 16 samples after each pixel drawn, `[(pixels + 1) · 16, pixels]`.
    pub(super) fn pixel_by_pixel(&self) -> Tensor<2> {
        let pixels = self.masks.side * self.masks.side;
        let valid = self.model().valid();
        let chain =
            valid.sample_chain(Tensor::zeros([PROGRESSIVE_IMAGES, pixels], &self.device), 0);
        let stages: Vec<Tensor<2>> = chain
            .into_iter()
            .enumerate()
            .map(|(drawn, v)| erased_from(v, self.masks.levels, drawn))
            .collect();
        Tensor::cat(stages, 0)
    }

    /// Originals, their top halves and completions of up to 8 `images`, `[3, k · pixels]`.
    pub(super) fn completion(&self, images: Tensor<2>) -> Tensor<2> {
        let v = self.levels_of(first_rows(images, COMPLETIONS)); // [k, pixels]
        let [k, pixels] = v.dims();
        let half = pixels / 2;
        let completed = self.model().valid().sample_from(v.clone(), half);
        let rows = vec![
            erased_from(v.clone(), self.masks.levels, pixels),
            erased_from(v, self.masks.levels, half),
            erased_from(completed, self.masks.levels, pixels),
        ];
        tiles(Tensor::cat(rows, 0), k)
    }
}
