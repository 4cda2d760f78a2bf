//! The diffusion model's views on images: forward noising of held-out images and the reverse
//! (denoising) chain as a strip of images.

use burn::prelude::*;
use burn::tensor::Distribution;

use super::Diffusion;
use crate::family::{ViewInfo, ViewInput, ViewKind, ViewParameter, ViewUnits};
use crate::models::tiles::{first_rows, tiles};

/// Images noised by the forward view.
const FORWARD_IMAGES: usize = 8;
/// Chains drawn by the reverse view.
const CHAINS: usize = 8;

impl Diffusion {
    /// The views on images; the reverse view's stages are the sampler's steps.
    pub(super) fn image_views(&self) -> Vec<ViewInfo> {
        vec![
            self.reverse_view(
                "Denoising chain",
                "8 chains of the sampler from noise (step 0) to images: the strip shows evenly \
                 spaced steps",
            ),
            ViewInfo {
                name: "forward",
                units: ViewUnits::Unitless,
                title: "Forward noising",
                description: "held-out images x₀ (top) noised to x_t = √ᾱ_t x₀ + √(1 − ᾱ_t) ε \
                              at the chosen t (bottom)",
                input: ViewInput::Data,
                kind: ViewKind::Images,
                parameter: Some(ViewParameter {
                    name: "t",
                    default: 0.3,
                    min: 0.0,
                    max: 1.0,
                }),
            },
        ]
    }

    /// View `name` on images (see [`Diffusion::image_views`]).
    pub(super) fn image_view(
        &self,
        name: &str,
        images: Tensor<2>,
        parameter: f32,
    ) -> Option<Tensor<2>> {
        match name {
            "forward" => {
                let x0 = first_rows(images, FORWARD_IMAGES); // [k, pixels]
                let k = x0.dims()[0];
                let level = self.tables.noise_level(self.tables.step_at(parameter));
                let eps = Tensor::random(x0.dims(), Distribution::Normal(0.0, 1.0), &self.device);
                let xt = x0.clone() * level.scale + eps * level.sigma;
                Some(tiles(Tensor::cat(vec![x0, xt], 0), k)) // [2, k · pixels]
            }
            "reverse" => {
                let noise = Tensor::random(
                    [CHAINS, self.dim],
                    Distribution::Normal(0.0, 1.0),
                    &self.device,
                );
                Some(Tensor::cat(self.chain(noise), 0)) // [stages · 8, pixels]
            }
            _ => None,
        }
    }
}
