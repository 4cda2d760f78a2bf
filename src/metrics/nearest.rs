//! The memorisation check of the source notes (samples must differ from the training data): each
//! point's Euclidean distance to its nearest neighbour in a reference set. Model samples that
//! sit much closer to the training images than held-out images do are copies.

use super::MetricError;

/// For each `dim`-dimensional point of `points` (row-major), the distance to the nearest point
/// of `reference`.
pub fn nearest_distances(
    points: &[f32],
    reference: &[f32],
    dim: usize,
) -> Result<Vec<f64>, MetricError> {
    if dim == 0 || points.len() % dim != 0 || reference.len() % dim != 0 || reference.is_empty() {
        return Err(MetricError::new(format!(
            "expected non-empty row-major sets of {dim}-D points"
        )));
    }
    if points.iter().chain(reference).any(|v| !v.is_finite()) {
        return Err(MetricError::new("a point has a NaN or infinite coordinate"));
    }
    Ok(points
        .chunks_exact(dim)
        .map(|p| {
            reference
                .chunks_exact(dim)
                .map(|r| {
                    p.iter()
                        .zip(r)
                        .map(|(a, b)| ((a - b) as f64).powi(2))
                        .sum::<f64>()
                })
                .fold(f64::INFINITY, f64::min)
                .sqrt()
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances_to_a_lattice_are_the_offsets() {
        // Reference: the integer lattice {0, 1, 2}²; queries offset from lattice points.
        let reference: Vec<f32> = (0..9)
            .flat_map(|k| [(k % 3) as f32, (k / 3) as f32])
            .collect();
        let points = [0.25f32, 0.0, 2.0, 1.6, 5.0, 5.0, 1.0, 1.0];
        let got = nearest_distances(&points, &reference, 2).unwrap();
        let expected = [0.25, 0.4, 18f64.sqrt(), 0.0];
        for (g, e) in got.iter().zip(expected) {
            assert!((g - e).abs() < 1e-6, "{got:?}");
        }
    }

    #[test]
    fn a_copy_of_the_reference_is_at_distance_zero_and_bad_input_is_an_error() {
        let reference = [0.5f32, 1.5, 2.5, 3.5, 4.5, 5.5];
        assert_eq!(
            nearest_distances(&reference, &reference, 3).unwrap(),
            vec![0.0, 0.0]
        );
        assert!(nearest_distances(&reference, &[], 3).is_err());
        assert!(nearest_distances(&[1.0, f32::NAN, 0.0], &reference, 3).is_err());
        assert!(nearest_distances(&reference, &reference, 4).is_err());
    }
}
