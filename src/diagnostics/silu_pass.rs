//! A self-check of the SiLU pass the CPU backend's layers run (`activation::bias_silu_rows`, four
//! entries at a time in wasm SIMD) against its scalar definition
//! (`activation::silu_and_slope_rounded`, whose accuracy against f64 the activation's unit tests
//! hold): every entry must carry the same bits, value and slope, since both evaluate the same f32
//! operations in the same order. The SIMD lanes round their multiply-adds as one of
//! `activation::LANE_ROUNDINGS` (in the relaxed-SIMD module, once where the engine fuses
//! `f32x4.relaxed_madd`), the same one for every lane; entries past the row's last whole vector
//! are the scalar pass, rounded twice. Natively it checks the scalar pass; the browser tests run
//! it in the plain module and the end-to-end tests in both of the page's modules
//! (`checkSiluPass`).

use serde::Serialize;

use crate::models::activation::{
    LANE_ROUNDINGS, Rounding, bias_silu_rows, lane_entries, silu_and_slope_rounded,
};

/// Row widths checked: a family's hidden width (whole SIMD vectors, two whole chunks of the
/// pass's loops), a wider ragged one (two whole chunks, a partial one and two entries past the
/// last whole vector) and a narrow ragged one (three entries past the last whole vector).
pub const WIDTHS: [usize; 3] = [128, 150, 7];

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

/// An entry whose pass result differs from the scalar definition in its bits.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
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

/// What [`check`] found: how many entries it compared, the rounding of the SIMD lanes' multiply-adds
/// it compared them with, and the entries that differ.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SiluPassCheck {
    /// Entries compared (value and slope each).
    pub entries: usize,
    /// How the lanes' multiply-adds rounded: the first of `LANE_ROUNDINGS` with no mismatch, or
    /// the first of them when every one has some.
    pub rounding: Rounding,
    /// Entries whose bits differ (NaN matches any NaN).
    pub mismatches: Vec<Mismatch>,
}

/// [`check_rounded`] with each rounding the lanes may use in this build in turn, up to the first
/// that every entry matches (or the first's findings when none does).
pub fn check() -> SiluPassCheck {
    let (first, others) = LANE_ROUNDINGS.split_first().expect("a rounding");
    let found = check_rounded(*first);
    if found.mismatches.is_empty() {
        return found;
    }
    others
        .iter()
        .map(|&rounding| check_rounded(rounding))
        .find(|other| other.mismatches.is_empty())
        .unwrap_or(found)
}

/// Runs [`inputs`] through the pass in rows of each width of [`WIDTHS`], with a bias that varies
/// along the row, with and without slopes, and compares every entry with the scalar definition:
/// rounded as `lanes` says where the pass computes it in SIMD lanes, twice elsewhere.
pub fn check_rounded(lanes: Rounding) -> SiluPassCheck {
    let mut found = SiluPassCheck {
        entries: 0,
        rounding: lanes,
        mismatches: Vec::new(),
    };
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
            let rounding = if i % width < lane_entries(width) {
                lanes
            } else {
                Rounding::Twice
            };
            let scalar = silu_and_slope_rounded(input + b, rounding);
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
        assert_eq!(
            found.rounding,
            Rounding::Twice,
            "the scalar pass rounds twice"
        );
    }

    #[test]
    fn the_check_tells_the_two_roundings_apart() {
        // Lanes rounding once would fail a check against twice, and the reverse: on the check's
        // inputs the two definitions differ in the bits of some values and of some slopes (while
        // agreeing within a few ulp: the activation's unit tests hold both to f64).
        let pairs: Vec<_> = inputs()
            .into_iter()
            .filter(|x| x.is_finite())
            .map(|x| {
                let once = silu_and_slope_rounded(x, Rounding::Once);
                let twice = silu_and_slope_rounded(x, Rounding::Twice);
                (once.0 != twice.0, once.1 != twice.1)
            })
            .collect();
        let values = pairs.iter().filter(|pair| pair.0).count();
        let slopes = pairs.iter().filter(|pair| pair.1).count();
        assert!(values > 0 && slopes > 0, "values {values}, slopes {slopes}");
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
