//! PixelCNN's views: sampling pixel by pixel (every intermediate image, for the page to show
//! progressively) and completion of held-out images whose bottom half is erased.

use burn::prelude::*;

use super::PixelCnn;
use crate::family::{ViewInfo, ViewInput, ViewKind, ViewParameter, ViewUnits};
use crate::models::tiles::{first_rows, tiles};

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
    /// Grey levels `[n, pixels]` as points at the centres of their cells, with the pixels from
    /// `erased_from` on set to NaN ("not given").
    fn shown(&self, v: Tensor<2>, erased_from: usize) -> Tensor<2> {
        let [n, pixels] = v.dims();
        let points = (v + 0.5) / self.masks.levels as f32;
        if erased_from >= pixels {
            return points;
        }
        let erased = Tensor::<1, Int>::arange(0..pixels as i64, &self.device)
            .greater_equal_elem(erased_from as i64)
            .unsqueeze::<2>()
            .repeat_dim(0, n); // [n, pixels]
        points.mask_fill(erased, f32::NAN)
    }

    /// 16 samples after each pixel drawn, `[(pixels + 1) · 16, pixels]`.
    pub(super) fn pixel_by_pixel(&self) -> Tensor<2> {
        let pixels = self.masks.side * self.masks.side;
        let valid = self.model().valid();
        let chain =
            valid.sample_chain(Tensor::zeros([PROGRESSIVE_IMAGES, pixels], &self.device), 0);
        let stages: Vec<Tensor<2>> = chain
            .into_iter()
            .enumerate()
            .map(|(drawn, v)| self.shown(v, drawn))
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
            self.shown(v.clone(), pixels),
            self.shown(v, half),
            self.shown(completed, pixels),
        ];
        tiles(Tensor::cat(rows, 0), k)
    }
}
