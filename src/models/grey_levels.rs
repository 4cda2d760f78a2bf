//! Tensor functions the discrete image families share: points in `[0, 1]` to grey levels and
//! back, one-hot codes, the log-likelihood of levels under per-pixel softmax conditionals, and
//! Gumbel-max draws from logits.

use burn::prelude::*;
use burn::tensor::Distribution;
use burn::tensor::activation::log_softmax;

/// Grey levels of points in `[0, 1]`: `⌊x·levels⌋`, clamped to `0 ..= levels − 1`, `[n, P]`.
pub fn levels_of(x: Tensor<2>, levels: usize) -> Tensor<2> {
    (x * levels as f32).floor().clamp(0.0, (levels - 1) as f32)
}

/// Grey levels `[n, P]` as points at the centres of their cells, `(v + ½)/levels`.
pub fn cell_centres(v: Tensor<2>, levels: usize) -> Tensor<2> {
    (v + 0.5) / levels as f32
}

/// `v` (`[n, len]`, whole numbers below `classes`) one-hot, `[n, len, classes]`; a value out of
/// range gives a row of zeros rather than an index error.
pub fn one_hot(v: Tensor<2>, classes: usize) -> Tensor<3> {
    let [n, len] = v.dims();
    let all: Vec<f32> = (0..classes).map(|c| c as f32).collect();
    let all = Tensor::<1>::from_floats(all.as_slice(), &v.device()).reshape([1, 1, classes]);
    (v.reshape([n, len, 1]) - all).abs().lower_elem(0.5).float()
}

/// `Σᵢ log p(vᵢ | ·)` in nats from per-pixel logits `[n, P, levels]` and levels `[n, P]`, `[n]`.
pub fn log_likelihood(logits: Tensor<3>, v: Tensor<2>) -> Tensor<1> {
    let [n, _, levels] = logits.dims();
    (log_softmax(logits, 2) * one_hot(v, levels))
        .sum_dim(2)
        .sum_dim(1)
        .reshape([n])
}

/// One draw per row of `logits` (`[n, classes]`) from its softmax, by Gumbel-max, `[n, 1]`.
pub fn gumbel_max(logits: Tensor<2>) -> Tensor<2> {
    let uniform = Tensor::<2>::random(
        logits.dims(),
        Distribution::Uniform(1e-7, 1.0),
        &logits.device(),
    );
    let gumbel = uniform.log().neg().log().neg(); // [n, classes]
    (logits + gumbel).argmax(1).float()
}

/// The levels drawn so far padded with zeros to `pixels` columns: `drawn` columns `[n, 1]` →
/// `[n, pixels]` (one state of a pixel-by-pixel chain).
pub fn padded(drawn: &[Tensor<2>], n: usize, pixels: usize, device: &Device) -> Tensor<2> {
    let rest = pixels - drawn.len();
    let mut columns = drawn.to_vec();
    if rest > 0 || columns.is_empty() {
        columns.push(Tensor::zeros([n, rest], device));
    }
    Tensor::cat(columns, 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values<const D: usize>(t: Tensor<D>) -> Vec<f32> {
        t.into_data().try_into_vec_as::<f32>().unwrap()
    }

    #[test]
    fn levels_and_centres_round_trip_and_clamp() {
        let device = Device::flex();
        let x = Tensor::<2>::from_floats([[0.0, 0.5, 0.999, 1.0, -0.2]], &device);
        assert_eq!(values(levels_of(x, 17)), vec![0.0, 8.0, 16.0, 16.0, 0.0]);
        let v = Tensor::<2>::from_floats([[0.0, 16.0]], &device);
        let centres = values(cell_centres(v.clone(), 17));
        assert!((centres[0] - 0.5 / 17.0).abs() < 1e-7);
        let back = values(levels_of(cell_centres(v, 17), 17));
        assert_eq!(back, vec![0.0, 16.0]);
    }

    #[test]
    fn the_log_likelihood_picks_each_pixels_log_softmax_entry() {
        let device = Device::flex();
        let logits = Tensor::<3>::from_floats([[[0.0, 1.0, 2.0], [3.0, 0.0, 0.0]]], &device); // [1, 2, 3]
        let v = Tensor::<2>::from_floats([[2.0, 1.0]], &device);
        let by_hand =
            (2.0 - (1f32 + 1f32.exp() + 2f32.exp()).ln()) + (0.0 - (3f32.exp() + 2.0).ln());
        let got = values(log_likelihood(logits, v))[0];
        assert!((got - by_hand).abs() < 1e-5, "{got} vs {by_hand}");
        assert_eq!(
            values(one_hot(Tensor::from_floats([[5.0]], &device), 3)),
            vec![0.0; 3],
            "out of range: no class"
        );
    }

    #[test]
    fn gumbel_max_draws_follow_the_softmax() {
        let _rng = crate::session::device_rng();
        let device = Device::flex();
        device.seed(11);
        let n = 20_000;
        let probabilities = [0.1f32, 0.2, 0.7];
        let logits: Vec<f32> = probabilities.iter().map(|p| p.ln()).collect();
        let logits = Tensor::<1>::from_floats(logits.as_slice(), &device)
            .reshape([1, 3])
            .repeat_dim(0, n);
        let draws = values(gumbel_max(logits));
        for (class, p) in probabilities.iter().enumerate() {
            let share = draws.iter().filter(|d| **d == class as f32).count() as f32 / n as f32;
            // Binomial sd ≤ 0.0033 at n = 20 000: 0.015 is over four of them.
            assert!((share - p).abs() < 0.015, "class {class}: {share} vs {p}");
        }
    }

    #[test]
    fn padding_fills_the_pixels_not_drawn() {
        let device = Device::flex();
        let drawn = vec![Tensor::<2>::ones([2, 1], &device); 3];
        let state = values(padded(&drawn, 2, 5, &device));
        assert_eq!(
            state,
            vec![1.0, 1.0, 1.0, 0.0, 0.0, 1.0, 1.0, 1.0, 0.0, 0.0]
        );
        assert_eq!(padded(&[], 2, 5, &device).dims(), [2, 5]);
        assert_eq!(padded(&drawn, 2, 3, &device).dims(), [2, 3]);
    }
}
