//! The VAE's views on images: the latent map as a grid of decoded images, interpolation in
//! latent space between two images, reconstructions, and the posterior means of the data.

use burn::prelude::*;

use super::Vae;
use crate::family::{ViewInfo, ViewInput, ViewKind, ViewParameter, ViewUnits};
use crate::models::tiles::{first_rows, tiles};

/// Decoded latent points per side of the latent grid.
const GRID_SIDE: usize = 10;
/// Images per interpolation, both ends included.
const INTERPOLATION_STEPS: usize = 10;
/// Interpolated pairs of images.
const INTERPOLATION_PAIRS: usize = 4;
/// Images reconstructed.
const RECONSTRUCTIONS: usize = 8;

/// The views of a VAE on images.
pub(super) const VIEWS: [ViewInfo; 4] = [
    ViewInfo {
        name: "latent_grid",
        units: ViewUnits::Unitless,
        title: "Latent map",
        description: "decoder means m(z) on a 10 × 10 grid of the first two latent coordinates \
                      (the others 0), z from −extent to +extent: how the decoder lays the digits \
                      out over the prior",
        input: ViewInput::State,
        kind: ViewKind::Images,
        parameter: Some(ViewParameter {
            name: "extent",
            default: 2.0,
            min: 0.5,
            max: 4.0,
        }),
    },
    ViewInfo {
        name: "interpolation",
        units: ViewUnits::Unitless,
        title: "Interpolation",
        description: "m((1 − α)·μ(a) + α·μ(b)) for α from 0 to 1, between the posterior means of \
                      pairs of held-out images a, b: one row per pair",
        input: ViewInput::Data,
        kind: ViewKind::Images,
        parameter: None,
    },
    ViewInfo {
        name: "reconstruction",
        units: ViewUnits::Unitless,
        title: "Reconstructions",
        description: "held-out images (top) and m(μ(x)), the decoder mean at their posterior \
                      mean (bottom)",
        input: ViewInput::Data,
        kind: ViewKind::Images,
        parameter: None,
    },
    ViewInfo {
        name: "latent",
        units: ViewUnits::Unitless,
        title: "Posterior means of the data",
        description: "μ(x) for held-out images x (first two latent coordinates): the KL term pulls \
                      them towards N(0, I), so decoding prior samples works",
        input: ViewInput::Data,
        kind: ViewKind::Points,
        parameter: None,
    },
];

impl Vae {
    /// View `name` of a VAE on images (see [`VIEWS`]).
    pub(super) fn image_view(
        &self,
        name: &str,
        images: Tensor<2>,
        parameter: f32,
    ) -> Option<Tensor<2>> {
        let net = self.net.module.valid();
        match name {
            "latent_grid" => {
                let latent = self.config.latent_dim;
                let coordinates: Vec<f32> = (0..GRID_SIDE * GRID_SIDE)
                    .flat_map(|k| {
                        let at = |i: usize| {
                            parameter * (2.0 * (i as f32 + 0.5) / GRID_SIDE as f32 - 1.0)
                        };
                        // Row 0 at the top: the highest second coordinate.
                        let (column, row) = (k % GRID_SIDE, GRID_SIDE - 1 - k / GRID_SIDE);
                        let mut z = vec![0.0; latent];
                        z[0] = at(column);
                        if latent > 1 {
                            z[1] = at(row);
                        }
                        z
                    })
                    .collect();
                let z = Tensor::from_data(
                    TensorData::new(coordinates, [GRID_SIDE * GRID_SIDE, latent]),
                    &self.device,
                ); // [100, latent]
                Some(tiles(net.decode(z).mean, GRID_SIDE)) // [10, 10 · pixels]
            }
            "interpolation" => {
                let pairs = (images.dims()[0] / 2).clamp(1, INTERPOLATION_PAIRS);
                let z = net.encode(first_rows(images, 2 * pairs)).mean; // [≤ 2·pairs, latent]
                let latent = z.dims()[1];
                let (a, b) = if z.dims()[0] < 2 {
                    (z.clone(), z)
                } else {
                    let z = z.reshape([pairs, 2 * latent]);
                    (z.clone().narrow(1, 0, latent), z.narrow(1, latent, latent)) // [pairs, latent] each
                };
                let path: Vec<Tensor<3>> = (0..INTERPOLATION_STEPS)
                    .map(|k| {
                        let alpha = k as f32 / (INTERPOLATION_STEPS - 1) as f32;
                        (a.clone() * (1.0 - alpha) + b.clone() * alpha).unsqueeze_dim::<3>(1)
                    })
                    .collect(); // each [pairs, 1, latent]
                let z = Tensor::cat(path, 1).reshape([pairs * INTERPOLATION_STEPS, latent]);
                Some(tiles(net.decode(z).mean, INTERPOLATION_STEPS)) // [pairs, 10 · pixels]
            }
            "reconstruction" => {
                let originals = first_rows(images, RECONSTRUCTIONS); // [k, pixels]
                let k = originals.dims()[0];
                let reconstructed = self.reconstruct(originals.clone());
                Some(tiles(Tensor::cat(vec![originals, reconstructed], 0), k)) // [2, k · pixels]
            }
            "latent" => Some(self.posterior_mean(images)),
            _ => None,
        }
    }
}
