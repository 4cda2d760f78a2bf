//! VQ-VAE's autoencoder: a convolutional encoder to a `side/2 × side/2` grid of vectors, each
//! replaced by its nearest codebook entry, and a convolutional decoder from the quantised grid to
//! every pixel's softmax over the grey levels. The straight-through estimator passes the
//! decoder's gradient at the quantised vector on to the encoder's output unchanged.

use burn::module::Param;
use burn::nn::conv::{Conv2d, Conv2dConfig, ConvTranspose2d, ConvTranspose2dConfig};
use burn::nn::{Initializer, PaddingConfig2d};
use burn::prelude::*;
use burn::tensor::activation::relu;

/// The encoder, the codebook and the decoder.
#[derive(Module, Debug)]
pub struct VqAutoencoder {
    encode_in: Conv2d,
    encode_down: Conv2d,
    pub(super) encode_out: Conv2d,
    /// `[codes, code_dim]`.
    pub(super) codebook: Param<Tensor<2>>,
    decode_in: Conv2d,
    decode_up: ConvTranspose2d,
    decode_out: Conv2d,
    side: usize,
}

/// The encoder's output and its quantisation.
pub struct Quantised {
    /// Encoder outputs, `[n · cells, code_dim]` (cells in raster order within each image).
    pub encoded: Tensor<2>,
    /// Their nearest codebook entries, `[n · cells, code_dim]` (differentiable in the codebook).
    pub quantised: Tensor<2>,
    /// The entries' indices, `[n, cells]` as floats.
    pub codes: Tensor<2>,
}

impl VqAutoencoder {
    /// An autoencoder of `side × side` images (`side` even) with `levels` grey levels.
    pub fn new(
        side: usize,
        levels: usize,
        channels: usize,
        codes: usize,
        code_dim: usize,
        device: &Device,
    ) -> Self {
        let same = |from: usize, to: usize, k: usize| {
            Conv2dConfig::new([from, to], [k, k])
                .with_padding(PaddingConfig2d::Same)
                .init(device)
        };
        Self {
            encode_in: same(1, channels, 3),
            encode_down: Conv2dConfig::new([channels, channels], [4, 4])
                .with_stride([2, 2])
                .with_padding(PaddingConfig2d::Explicit(1, 1, 1, 1))
                .init(device),
            encode_out: same(channels, code_dim, 1),
            codebook: Initializer::Uniform {
                min: -1.0 / codes as f64,
                max: 1.0 / codes as f64,
            }
            .init([codes, code_dim], device),
            decode_in: same(code_dim, channels, 3),
            decode_up: ConvTranspose2dConfig::new([channels, channels], [4, 4])
                .with_stride([2, 2])
                .with_padding([1, 1])
                .init(device),
            decode_out: same(channels, levels, 1),
            side,
        }
    }

    /// Code cells per image: `(side/2)²`.
    pub fn cells(&self) -> usize {
        (self.side / 2) * (self.side / 2)
    }

    /// Codebook entries.
    pub fn codes(&self) -> usize {
        self.codebook.dims()[0]
    }

    /// Encoder outputs of grey levels `v: [n, side²]`, one vector per cell, `[n · cells, code_dim]`.
    pub fn encode(&self, v: Tensor<2>, levels: usize) -> Tensor<2> {
        let n = v.dims()[0];
        let x = (v / (levels - 1) as f32 - 0.5).reshape([n, 1, self.side, self.side]);
        let h = relu(self.encode_in.forward(x));
        let h = relu(self.encode_down.forward(h)); // [n, channels, side/2, side/2]
        let z = self.encode_out.forward(h); // [n, code_dim, side/2, side/2]
        let code_dim = z.dims()[1];
        z.reshape([n, code_dim, self.cells()])
            .swap_dims(1, 2)
            .reshape([n * self.cells(), code_dim])
    }

    /// Each row of `encoded` (`[m, code_dim]`) replaced by its nearest codebook entry.
    pub fn quantise(&self, encoded: Tensor<2>) -> Quantised {
        let m = encoded.dims()[0];
        let book = self.codebook.val(); // [codes, code_dim]
        let squared = encoded.clone().powi_scalar(2).sum_dim(1); // [m, 1]
        let book_squared = book.clone().powi_scalar(2).sum_dim(1).transpose(); // [1, codes]
        let distances =
            squared + book_squared - encoded.clone().matmul(book.clone().transpose()) * 2.0; // [m, codes]
        let index = distances.argmin(1); // [m, 1]
        let quantised = self.entries(index.clone().reshape([m]));
        let n = m / self.cells();
        Quantised {
            encoded,
            quantised,
            codes: index.float().reshape([n, self.cells()]),
        }
    }

    /// Codebook rows at `index` (`[m]`), `[m, code_dim]`.
    pub fn entries(&self, index: Tensor<1, Int>) -> Tensor<2> {
        self.codebook.val().select(0, index)
    }

    /// Logits of every pixel's grey level from quantised vectors `[n · cells, code_dim]`:
    /// `[n, side², levels]`.
    pub fn decode(&self, quantised: Tensor<2>) -> Tensor<3> {
        let [m, code_dim] = quantised.dims();
        let n = m / self.cells();
        let half = self.side / 2;
        let z = quantised
            .reshape([n, self.cells(), code_dim])
            .swap_dims(1, 2)
            .reshape([n, code_dim, half, half]);
        let h = relu(self.decode_in.forward(z));
        let h = relu(self.decode_up.forward(h)); // [n, channels, side, side]
        let logits = self.decode_out.forward(h); // [n, levels, side, side]
        let levels = logits.dims()[1];
        logits
            .reshape([n, levels, self.side * self.side])
            .swap_dims(1, 2)
    }
}

/// The straight-through estimator: the value of `quantised`, the gradient of `encoded`
/// (`x + stop(q − x)`), `[m, code_dim]`.
pub fn straight_through(encoded: Tensor<2>, quantised: Tensor<2>) -> Tensor<2> {
    encoded.clone() + (quantised - encoded).detach()
}
