//! A network conditioned on a scalar (a time or a log noise level): the MLP sees `x` beside
//! sinusoidal features of the scalar, so a few hidden layers can vary sharply with it.
//!
//! On the CPU backend, where autodiff tracks neither `x` nor the scalar (training examples, the
//! samplers' steps), the network's input is built on the host in one pass
//! ([`conditioned_rows`]): two of f64's `sin_cos` per row and the higher frequencies by angle
//! doubling, in place of flex's element-wise `sin` and `cos` (libm's scalar `sinf`/`cosf` in wasm,
//! 2 % of a DDPM step) and its two concatenations. Elsewhere it is Burn's operations
//! ([`scalar_features`]).

use burn::prelude::*;
use burn::tensor::TensorData;

use crate::models::activation::host_computes_f32;
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

/// Columns [`scalar_features`] adds for one scalar: the scalar, `K` sines and `K` cosines.
pub const FEATURES: usize = 1 + 2 * FREQUENCIES;

/// The network's input `[x, scalar_features(c)]` for `x: [n, dim]` and `c: [n, 1]` →
/// `[n, dim + FEATURES]`: on the host in one pass ([`conditioned_rows`]) on the CPU backend when
/// autodiff tracks neither (the result is then untracked too), else Burn's concatenation of `x`
/// and [`scalar_features`]. The two agree within the rounding of the f32 phase `2^k π c` that
/// Burn's form takes the sine of (about `|2^k π c| · 2⁻²⁴`); the host's form rounds once.
pub fn conditioned_input(x: Tensor<2>, c: Tensor<2>) -> Tensor<2> {
    let device = x.device();
    let untracked = !x.is_tracked() && !c.is_tracked();
    if !(untracked && host_computes_f32(&device, [x.dtype(), c.dtype()])) {
        return Tensor::cat(vec![x, scalar_features(c)], 1);
    }
    let [n, dim] = x.dims();
    let x = x.into_data().try_into_vec::<f32>().expect("an f32 tensor"); // [n · dim]
    let c = c.into_data().try_into_vec::<f32>().expect("an f32 tensor"); // [n]
    let rows = conditioned_rows(&x, &c, dim); // [n · (dim + FEATURES)]
    Tensor::from_data(TensorData::new(rows, [n, dim + FEATURES]), &device)
}

/// The rows `[x_i, c_i, sin(2^k π c_i) …, cos(2^k π c_i) …]` (`k = 0 … K − 1`) of `x` (`n` rows of
/// `dim`, row-major) and `c` (`n` values), row-major. The features are computed in f64 and rounded
/// once: `sin_cos(π c)`, then `sin 2θ = 2 sin θ cos θ` and `cos 2θ = (cos θ − sin θ)(cos θ + sin θ)`,
/// whose error at most doubles per step (from about 1e-16, so far below f32's rounding).
pub fn conditioned_rows(x: &[f32], c: &[f32], dim: usize) -> Vec<f32> {
    let width = dim + FEATURES;
    let mut rows = Vec::with_capacity(c.len() * width);
    for (row, &c) in c.iter().enumerate() {
        rows.extend_from_slice(&x[row * dim..(row + 1) * dim]);
        rows.push(c);
        let (mut sin, mut cos) = (std::f64::consts::PI * f64::from(c)).sin_cos();
        let mut sines = [0.0f32; FREQUENCIES];
        let mut cosines = [0.0f32; FREQUENCIES];
        for (s, co) in sines.iter_mut().zip(&mut cosines) {
            (*s, *co) = (sin as f32, cos as f32);
            (sin, cos) = (2.0 * sin * cos, (cos - sin) * (cos + sin));
        }
        rows.extend_from_slice(&sines);
        rows.extend_from_slice(&cosines);
    }
    rows
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
            net: MlpConfig::new(dim + FEATURES, d_output, width, depth).init(device),
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
        self.net.forward(conditioned_input(x, c))
    }

    /// The same with one conditioning value for every row.
    pub fn forward_at(&self, x: Tensor<2>, c: f32) -> Tensor<2> {
        let n = x.dims()[0];
        let c = Tensor::full([n, 1], c, &x.device());
        self.forward(x, c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `sin(2^k π c)` and `cos(2^k π c)` in f64, directly.
    fn exact_features(c: f32) -> Vec<f64> {
        let phases =
            (0..FREQUENCIES).map(|k| f64::from(1u32 << k) * std::f64::consts::PI * f64::from(c));
        phases
            .clone()
            .map(f64::sin)
            .chain(phases.map(f64::cos))
            .collect()
    }

    #[test]
    fn conditioned_rows_are_x_the_scalar_and_its_features_rounded_once() {
        let mut scalars: Vec<f32> = (-800..=800).map(|i| i as f32 * 0.01 + 0.003).collect();
        scalars.extend([0.0, 0.5, 1.0, -1.0, 1e-3, 0.999, 7.25]);
        let x: Vec<f32> = (0..scalars.len() * 3)
            .map(|i| i as f32 * 0.5 - 7.0)
            .collect(); // [n, 3]
        let rows = conditioned_rows(&x, &scalars, 3); // [n, 3 + FEATURES]
        assert_eq!(rows.len(), scalars.len() * (3 + FEATURES));
        let mut worst = 0.0f64;
        for ((row, &c), x) in rows
            .chunks_exact(3 + FEATURES)
            .zip(&scalars)
            .zip(x.chunks(3))
        {
            assert_eq!(&row[..3], x);
            assert_eq!(row[3].to_bits(), c.to_bits());
            for (&got, exact) in row[4..].iter().zip(exact_features(c)) {
                // Rounded once from f64: within half an f32 ulp of the value, plus the f64
                // doublings' error (five steps from about 1e-16).
                let half_ulp = 0.5 * f64::from(f32::EPSILON) * exact.abs();
                let error = (f64::from(got) - exact).abs();
                assert!(error <= half_ulp + 1e-13, "c = {c}: {got} against {exact}");
                worst = worst.max(error);
            }
        }
        assert!(worst > 0.0, "f32 cannot hold every feature exactly");
    }

    #[test]
    fn conditioned_input_on_the_cpu_backend_is_the_host_rows_within_burns_rounding() {
        for device in [Device::flex(), Device::flex().autodiff()] {
            let n = 257;
            let times: Vec<f32> = (0..n).map(|i| i as f32 / (n - 1) as f32).collect(); // [n]
            let x: Vec<f32> = (0..2 * n).map(|i| (i as f32 * 0.37).sin()).collect(); // [n, 2]
            let xt = Tensor::<2>::from_data(TensorData::new(x.clone(), [n, 2]), &device);
            let ct = Tensor::<2>::from_data(TensorData::new(times.clone(), [n, 1]), &device);
            let input = conditioned_input(xt.clone(), ct.clone()); // [n, 2 + FEATURES]
            assert!(!input.is_tracked());
            let input = input.into_data().try_into_vec::<f32>().unwrap();
            let host = conditioned_rows(&x, &times, 2);
            assert!(
                input
                    .iter()
                    .zip(&host)
                    .all(|(a, b)| a.to_bits() == b.to_bits())
            );
            // Burn's form takes the sine of the f32 phase f32(2^k π) · t, t ∈ [0, 1]: two
            // roundings of at most |phase| · 2⁻²⁴ each (|phase| ≤ 32π), then libm's `sinf` and
            // `cosf` within an ulp (2⁻²³ below 1) and the host's half ulp.
            let bound = 2.0 * 32.0 * std::f32::consts::PI * f32::EPSILON / 2.0 + 1.5 * f32::EPSILON;
            let burn = Tensor::cat(vec![xt, scalar_features(ct)], 1)
                .into_data()
                .try_into_vec::<f32>()
                .unwrap();
            let largest = burn
                .iter()
                .zip(&host)
                .map(|(a, b)| (a - b).abs())
                .fold(0.0, f32::max);
            assert!(largest <= bound, "{largest} against {bound}");
        }
    }

    #[test]
    fn tracked_inputs_take_burns_form_and_keep_their_gradient() {
        let device = Device::flex().autodiff();
        let x = Tensor::<2>::from_data(TensorData::new(vec![0.5f32; 8], [4, 2]), &device)
            .require_grad();
        let c = Tensor::<2>::from_data(TensorData::new(vec![0.25f32; 4], [4, 1]), &device);
        let input = conditioned_input(x.clone(), c.clone()); // [4, 2 + FEATURES]
        assert!(input.is_tracked());
        // An intermediate of a tracked graph is tracked too.
        let through = conditioned_input(x.clone() * 2.0, c); // [4, 2 + FEATURES]
        assert!(through.is_tracked());
        let gradients = (input * 3.0).sum().backward();
        let gradient = x.grad(&gradients).expect("a gradient for x"); // [4, 2]
        let gradient = gradient.into_data().try_into_vec::<f32>().unwrap();
        assert_eq!(gradient, vec![3.0; 8]);
    }
}
