//! A network conditioned on a scalar (a time or a log noise level): the MLP sees `x` beside
//! sinusoidal features of the scalar, so a few hidden layers can vary sharply with it.

use burn::prelude::*;

use crate::models::mlp::{Mlp, MlpConfig};
use crate::models::trained::Trained;

/// Frequencies `2^k π`, `k = 0 … FREQUENCIES − 1`, of the sinusoidal features.
const FREQUENCIES: usize = 6;

/// `[c, sin(2^k π c), cos(2^k π c)]` for a conditioning value `c: [n, 1]` → `[n, 1 + 2K]`.
pub fn scalar_features(c: Tensor<2>) -> Tensor<2> {
    let device = c.device();
    let omegas: Vec<f32> = (0..FREQUENCIES)
        .map(|k| (1 << k) as f32 * std::f32::consts::PI)
        .collect();
    let omegas = Tensor::<1>::from_floats(omegas.as_slice(), &device).unsqueeze::<2>(); // [1, K]
    let phase = c.clone() * omegas; // [n, K]
    Tensor::cat(vec![c, phase.clone().sin(), phase.cos()], 1)
}

/// An MLP `(x, c) → [n, d_output]` with `c` entering through [`scalar_features`].
#[derive(Module, Debug)]
pub struct ConditionalMlp {
    net: Mlp,
}

impl ConditionalMlp {
    /// A network for `dim` inputs and `d_output` outputs on `device`.
    pub fn new(dim: usize, d_output: usize, width: usize, depth: usize, device: &Device) -> Self {
        Self {
            net: MlpConfig::new(dim + 1 + 2 * FREQUENCIES, d_output, width, depth).init(device),
        }
    }

    /// A `dim → dim` field (a score or a noise prediction) of `width` × `depth` hidden layers on
    /// an autodiff copy of `device`, ready to train at `learning_rate`: the start the
    /// conditional families (NCSN, diffusion, score SDE) share.
    pub fn trained_field(
        dim: usize,
        width: usize,
        depth: usize,
        learning_rate: f64,
        device: &Device,
    ) -> Trained<Self> {
        let net = Self::new(dim, dim, width, depth, &device.clone().autodiff());
        Trained::new(net, learning_rate)
    }

    /// `x: [n, dim]`, `c: [n, 1]` → `[n, d_output]`.
    pub fn forward(&self, x: Tensor<2>, c: Tensor<2>) -> Tensor<2> {
        self.net
            .forward(Tensor::cat(vec![x, scalar_features(c)], 1))
    }

    /// The same with one conditioning value for every row.
    pub fn forward_at(&self, x: Tensor<2>, c: f32) -> Tensor<2> {
        let n = x.dims()[0];
        let c = Tensor::full([n, 1], c, &x.device());
        self.forward(x, c)
    }
}
