//! image-GPT's network: a decoder-only transformer over the raster sequence of grey levels.
//! Position `i` holds token `i − 1` (a start token at position 0) plus the embedding of position
//! `i`, and its output is the logits of `p(vᵢ | v₍<ᵢ₎)`; causal self-attention lets position `i`
//! read positions `0 ..= i` only, so the conditional of pixel `i` sees exactly the pixels before
//! it. A class-conditional network has one start token per label besides the "no label" one:
//! the label then conditions every pixel.

use burn::module::Param;
use burn::nn::attention::{
    MhaInput, MultiHeadAttention, MultiHeadAttentionConfig, generate_autoregressive_mask,
};
use burn::nn::{
    Embedding, EmbeddingConfig, Initializer, LayerNorm, LayerNormConfig, Linear, LinearConfig,
};
use burn::prelude::*;
use burn::tensor::activation::gelu;

use crate::data::digits::NO_LABEL;
use crate::models::grey_levels::{gumbel_max, padded};

/// One pre-norm transformer block: causal self-attention, then a position-wise MLP, each added
/// to the residual stream.
#[derive(Module, Debug)]
pub struct Block {
    attention_norm: LayerNorm,
    attention: MultiHeadAttention,
    mlp_norm: LayerNorm,
    expand: Linear,
    contract: Linear,
}

impl Block {
    fn new(width: usize, heads: usize, device: &Device) -> Self {
        Self {
            attention_norm: LayerNormConfig::new(width).init(device),
            attention: MultiHeadAttentionConfig::new(width, heads)
                .with_dropout(0.0)
                .init(device),
            mlp_norm: LayerNormConfig::new(width).init(device),
            expand: LinearConfig::new(width, 4 * width).init(device),
            contract: LinearConfig::new(4 * width, width).init(device),
        }
    }

    /// `h: [n, len, width]` → the block's output `[n, len, width]` and its attention weights
    /// `[n, heads, len, len]` (row `i` sums to one over columns `0 ..= i`).
    fn forward(&self, h: Tensor<3>) -> (Tensor<3>, Tensor<4>) {
        let [n, len, _] = h.dims();
        let future = generate_autoregressive_mask(n, len, &h.device()); // [n, len, len]
        let input = MhaInput::self_attn(self.attention_norm.forward(h.clone())).mask_attn(future);
        let attended = self.attention.forward(input);
        let h = h + attended.context;
        let mlp = self
            .contract
            .forward(gelu(self.expand.forward(self.mlp_norm.forward(h.clone()))));
        (h + mlp, attended.weights)
    }
}

/// Token and position embeddings, the blocks and the read-out.
#[derive(Module, Debug)]
pub struct ImageGptNet {
    tokens: Embedding,
    positions: Param<Tensor<2>>,
    blocks: Vec<Block>,
    output_norm: LayerNorm,
    output: Linear,
    /// Grey levels; the "no label" start token is `levels`, label `y`'s is `levels + 1 + y`.
    levels: usize,
}

impl ImageGptNet {
    /// A network for sequences of `pixels` tokens over `levels` grey levels, with a start token
    /// for each of `labels` labels besides the "no label" one (0: unconditional).
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        levels: usize,
        labels: usize,
        pixels: usize,
        width: usize,
        heads: usize,
        layers: usize,
        device: &Device,
    ) -> Self {
        let small = Initializer::Normal {
            mean: 0.0,
            std: 0.02,
        };
        Self {
            tokens: EmbeddingConfig::new(levels + 1 + labels, width)
                .with_initializer(small.clone())
                .init(device),
            positions: small.init([pixels, width], device),
            blocks: (0..layers)
                .map(|_| Block::new(width, heads, device))
                .collect(),
            output_norm: LayerNormConfig::new(width).init(device),
            output: LinearConfig::new(width, levels)
                .with_initializer(small)
                .init(device),
            levels,
        }
    }

    /// The start token of each label (`labels: [n]`, classes as floats, [`NO_LABEL`] for
    /// none), `[n, 1]`.
    pub fn start_tokens(&self, labels: Tensor<1>) -> Tensor<2> {
        let n = labels.dims()[0];
        let none = labels.clone().equal_elem(NO_LABEL as f32);
        (labels + (self.levels + 1) as f32)
            .mask_fill(none, self.levels as f32)
            .reshape([n, 1])
    }

    /// The "no label" start token for `n` sequences, `[n, 1]`.
    fn no_label(&self, n: usize) -> Tensor<2> {
        Tensor::full([n, 1], self.levels as f32, &self.positions.device())
    }

    /// [`ImageGptNet::embedded_from`] the "no label" start token.
    pub fn embedded(&self, v: Tensor<2>) -> Tensor<3> {
        self.embedded_from(self.no_label(v.dims()[0]), v)
    }

    /// The input of the first block for grey levels `v: [n, len]` (`len ≤ pixels`) after the
    /// start tokens `start: [n, 1]`: position `i` holds the embedding of token `i − 1` (the
    /// start token at 0) plus that of position `i`, `[n, len, width]`.
    pub fn embedded_from(&self, start: Tensor<2>, v: Tensor<2>) -> Tensor<3> {
        let len = v.dims()[1];
        let shifted = if len == 1 {
            start
        } else {
            Tensor::cat(vec![start, v.narrow(1, 0, len - 1)], 1) // [n, len]
        };
        let width = self.positions.dims()[1];
        let positions = self
            .positions
            .val()
            .narrow(0, 0, len)
            .reshape([1, len, width]);
        self.tokens.forward(shifted.int()) + positions
    }

    /// Logits `[n, len, levels]` from embedded inputs `[n, len, width]`, with the attention
    /// weights of every block (`[n, heads, len, len]` each).
    pub fn from_embedded(&self, mut h: Tensor<3>) -> (Tensor<3>, Vec<Tensor<4>>) {
        let mut weights = Vec::with_capacity(self.blocks.len());
        for block in &self.blocks {
            let (next, w) = block.forward(h);
            h = next;
            weights.push(w);
        }
        (self.output.forward(self.output_norm.forward(h)), weights)
    }

    /// Logits of every pixel's conditional given the pixels before it: `[n, P]` → `[n, P, levels]`.
    pub fn logits(&self, v: Tensor<2>) -> Tensor<3> {
        self.from_embedded(self.embedded(v)).0
    }

    /// [`ImageGptNet::logits`] after the start tokens `start: [n, 1]`.
    pub fn logits_from(&self, start: Tensor<2>, v: Tensor<2>) -> Tensor<3> {
        self.from_embedded(self.embedded_from(start, v)).0
    }

    /// The attention weights of the last block for grey levels `v: [n, P]`, `[n, heads, P, P]`.
    pub fn last_attention(&self, v: Tensor<2>) -> Tensor<4> {
        let (_, mut weights) = self.from_embedded(self.embedded(v));
        weights.pop().expect("at least one block")
    }

    /// `n` sequences of `pixels` tokens drawn one token at a time (each from the conditional
    /// the network gives the prefix drawn so far), with every intermediate state: `pixels + 1`
    /// grey-level images `[n, P]` (tokens not drawn yet are 0).
    pub fn sample_chain(&self, n: usize, pixels: usize, device: &Device) -> Vec<Tensor<2>> {
        self.sample_chain_from(self.no_label(n).to_device(device), pixels)
    }

    /// [`ImageGptNet::sample_chain`] after the start tokens `start: [n, 1]`.
    pub fn sample_chain_from(&self, start: Tensor<2>, pixels: usize) -> Vec<Tensor<2>> {
        let [n, _] = start.dims();
        let device = &start.device();
        let mut drawn: Vec<Tensor<2>> = Vec::with_capacity(pixels);
        let mut chain = vec![Tensor::<2>::zeros([n, pixels], device)];
        for i in 0..pixels {
            // The prefix and one placeholder for the token being drawn (its input is token i − 1).
            let prefix = padded(&drawn, n, i + 1, device); // [n, i + 1]
            let logits = self
                .logits_from(start.clone(), prefix)
                .narrow(1, i, 1)
                .reshape([n, self.levels]);
            drawn.push(gumbel_max(logits)); // [n, 1]
            chain.push(padded(&drawn, n, pixels, device));
        }
        chain
    }
}
