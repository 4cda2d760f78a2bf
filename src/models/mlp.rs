//! The multilayer perceptron most 2-D families use.

use crate::models::fused_linear::{linear, linear_silu};
use burn::nn::{Linear, LinearConfig};
use burn::prelude::*;

/// A fully connected network `d_input → width (× depth) → d_output` with SiLU activations.
#[derive(Config, Debug)]
pub struct MlpConfig {
    /// Input features.
    pub d_input: usize,
    /// Output features.
    pub d_output: usize,
    /// Width of every hidden layer.
    pub width: usize,
    /// Number of hidden layers (at least one).
    pub depth: usize,
}

/// See [`MlpConfig`].
#[derive(Module, Debug)]
pub struct Mlp {
    hidden: Vec<Linear>,
    output: Linear,
}

impl MlpConfig {
    /// Initialises the network with Burn's default (Kaiming-uniform) weights on `device`.
    pub fn init(&self, device: &Device) -> Mlp {
        let hidden = (0..self.depth)
            .map(|i| {
                let d_in = if i == 0 { self.d_input } else { self.width };
                LinearConfig::new(d_in, self.width).init(device)
            })
            .collect();
        Mlp {
            hidden,
            output: LinearConfig::new(self.width, self.d_output).init(device),
        }
    }
}

impl Mlp {
    /// `[n, d_input]` → `[n, d_output]`.
    pub fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        let h = self.hidden.iter().fold(x, |h, layer| linear_silu(layer, h)); // [n, width]
        linear(&self.output, h)
    }

    /// Features of the output layer.
    pub fn output_features(&self) -> usize {
        self.output.weight.val().dims()[1]
    }
}
