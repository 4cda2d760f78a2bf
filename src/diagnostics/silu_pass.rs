//! A self-check of the SiLU pass the CPU backend's layers run (`activation::bias_silu_rows`, four
//! entries at a time in wasm SIMD) against its scalar definition (`activation::silu_and_slope`,
//! whose accuracy against f64 the activation's unit tests hold): every entry must carry the same
//! bits, value and slope, since both evaluate the same f32 operations in the same order.
//! Natively it checks the scalar pass; the browser tests run it where the SIMD lanes are compiled.

use crate::models::activation::{bias_silu_rows, silu_and_slope};

/// Row widths checked: a family's hidden width (whole SIMD vectors) and a ragged one (three
/// entries past the last whole vector).
pub const WIDTHS: [usize; 2] = [128, 7];

/// Inputs the check adds a bias to: a fine sweep of `[−100, 100]` (both tails of the
/// exponential's clamp at −87 and 88 included) and the special values.
pub fn inputs() -> Vec<f32> {
    let sweep = (-20_000..=20_000).map(|i| i as f32 * 5e-3);
    let special = [
        0.0,
        -0.0,
        f32::MIN_POSITIVE,
        -1e-42,
        87.0,
        -87.0,
        88.72,
        -88.72,
        1e4,
        -1e4,
        f32::MAX,
        f32::MIN,
        f32::INFINITY,
        f32::NEG_INFINITY,
        f32::NAN,
    ];
    sweep.chain(special).collect()
}

/// An entry whose pass result differs from [`silu_and_slope`] in its bits.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Mismatch {
    /// The entry before the pass.
    pub input: f32,
    /// The bias added to it.
    pub bias: f32,
    /// `(silu, silu′)` from the pass.
    pub pass: (f32, f32),
    /// `(silu, silu′)` from the scalar definition.
    pub scalar: (f32, f32),
}

/// What [`check`] found: how many entries it compared and those that differ.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SiluPassCheck {
    /// Entries compared (value and slope each).
    pub entries: usize,
    /// Entries whose bits differ (NaN matches any NaN).
    pub mismatches: Vec<Mismatch>,
}

/// Runs [`inputs`] through the pass in rows of each width of [`WIDTHS`], with a bias that varies
/// along the row, with and without slopes, and compares every entry with [`silu_and_slope`].
pub fn check() -> SiluPassCheck {
    let mut found = SiluPassCheck::default();
    for width in WIDTHS {
        let mut inputs = inputs();
        inputs.resize(inputs.len().next_multiple_of(width), 0.25); // [n · width]
        let bias: Vec<f32> = (0..width).map(|j| (j as f32 * 0.37).sin()).collect(); // [width]
        let mut with_slopes = inputs.clone();
        let mut without_slopes = inputs.clone();
        let mut slopes = vec![f32::NAN; 3]; // replaced by the pass
        bias_silu_rows(&mut with_slopes, &bias, Some(&mut slopes));
        bias_silu_rows(&mut without_slopes, &bias, None);
        assert_eq!(slopes.len(), inputs.len(), "one slope per entry");
        for (i, &input) in inputs.iter().enumerate() {
            let b = bias[i % width];
            let scalar = silu_and_slope(input + b);
            let pass = (with_slopes[i], slopes[i]);
            let same = |a: f32, b: f32| a.to_bits() == b.to_bits() || a.is_nan() && b.is_nan();
            let agree = same(pass.0, scalar.0) && same(pass.1, scalar.1);
            if !agree || !same(without_slopes[i], scalar.0) {
                found.mismatches.push(Mismatch {
                    input,
                    bias: b,
                    pass,
                    scalar,
                });
            }
        }
        found.entries += inputs.len();
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pass_gives_the_scalar_bits() {
        let found = check();
        assert!(found.entries > 2 * inputs().len(), "{}", found.entries);
        assert!(found.mismatches.is_empty(), "{:?}", &found.mismatches[..]);
    }

    #[test]
    fn nan_stays_nan_and_the_tails_saturate() {
        let mut values = vec![f32::NAN, -1e4, 1e4, f32::INFINITY];
        let mut slopes = Vec::new();
        bias_silu_rows(&mut values, &[0.0; 4], Some(&mut slopes));
        assert!(values[0].is_nan() && slopes[0].is_nan());
        assert!(values[1].abs() < 1e-30 && slopes[1].abs() < 1e-30);
        assert_eq!((values[2], slopes[2]), (1e4, 1.0));
        assert_eq!(values[3], f32::INFINITY);
    }

    #[test]
    fn a_bias_of_another_width_is_refused() {
        let refused = std::panic::catch_unwind(|| {
            bias_silu_rows(&mut [1.0; 6], &[0.0; 4], None);
        });
        assert!(refused.is_err());
    }
}
