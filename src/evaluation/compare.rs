//! The divergence panel for points a caller brings: the same labelled estimates as a lab's
//! evaluation, between a dataset and any 2-D samples (a course author's, or anyone checking
//! GenLab's estimators), with the same noise floors.

use super::{DENSITY_RESOLUTION, NoiseFloors, PanelInputs, ReferenceGrid, divergence_panel};
use crate::data::{DataSource, seeded_rng};
use crate::metrics::{Estimate, MetricError};

/// Fewest and most points `compare_samples` takes (as `evaluate`).
pub const COMPARE_POINTS: (usize, usize) = (16, 1 << 14);

/// The panel between `source` and `samples` (row-major `[n, 2]`), and the `n` fresh data
/// samples it compared them with, drawn with `seed`: grid KL / reverse KL / JS / TV between
/// smoothed densities, sliced W2, Sinkhorn and MMD², labelled as in [`divergence_panel`], with
/// the dataset's noise floors at that size (measured once, cached).
pub fn compare_samples(
    source: &DataSource,
    samples: &[f32],
    seed: u64,
) -> Result<(Vec<Estimate>, Vec<f32>), MetricError> {
    if source.dim() != 2 {
        return Err(MetricError::new(
            "samples can be compared with a 2-D dataset only (images: use a lab's evaluate)",
        ));
    }
    let n = samples.len() / 2;
    let (fewest, most) = COMPARE_POINTS;
    if samples.len() % 2 != 0 || !(fewest..=most).contains(&n) {
        return Err(MetricError::new(format!(
            "expected {fewest} … {most} points of 2 coordinates (row-major), got {} numbers",
            samples.len()
        )));
    }
    if let Some(i) = samples.iter().position(|v| !v.is_finite()) {
        return Err(MetricError::new(format!(
            "coordinate {} of point {} is {}: every coordinate must be finite",
            i % 2,
            i / 2,
            samples[i]
        )));
    }
    let reference = ReferenceGrid::new(source, DENSITY_RESOLUTION)?;
    let mut rng = seeded_rng(seed);
    let data = source.sample(n, &mut rng);
    let floors = NoiseFloors::cached(source, &reference, n)?;
    let panel = divergence_panel(&PanelInputs {
        reference: &reference,
        model: samples,
        data: &data,
        floors: &floors,
        score: None,
        density: None,
    })?;
    Ok((panel, data))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Dataset;

    fn eight_gaussians() -> DataSource {
        DataSource::Named(Dataset::EightGaussians)
    }

    #[test]
    fn shifted_samples_stand_far_above_data_samples_and_the_floor() {
        let source = eight_gaussians();
        let fresh = source.sample(1000, &mut seeded_rng(90));
        let (panel, data) = compare_samples(&source, &fresh, 7).unwrap();
        assert_eq!(data.len(), 2000);
        let names: Vec<&str> = panel.iter().map(|e| e.name).collect();
        assert_eq!(
            names,
            [
                "KL(data‖model), smoothed",
                "KL(model‖data), smoothed",
                "JS(data, model), smoothed",
                "TV(data, model), smoothed",
                "sliced W2(data, model)",
                "Sinkhorn(data, model)",
                "MMD²(data, model)"
            ]
        );
        let shifted: Vec<f32> = fresh
            .chunks_exact(2)
            .flat_map(|p| [p[0] + 2.0, p[1]])
            .collect();
        let (far, _) = compare_samples(&source, &shifted, 7).unwrap();
        for (near, far) in panel.iter().zip(&far) {
            // The same seed, so the same data draws: only the samples differ.
            assert_eq!(near.noise_floor, far.noise_floor);
            let floor = near.noise_floor.unwrap();
            assert!(
                far.value > 3.0 * floor.upper.max(1e-3),
                "{near:?} → {far:?}"
            );
        }
        // A translation by t adds exactly ‖t‖² = 4 to the debiased Sinkhorn divergence; the
        // estimate's error is the floor's (the 256-point estimate between two data samples).
        let sinkhorn = far.iter().find(|e| e.name.starts_with("Sinkhorn")).unwrap();
        let floor = sinkhorn.noise_floor.unwrap();
        assert!((sinkhorn.value - 4.0).abs() <= floor.upper, "{sinkhorn:?}");
    }

    #[test]
    fn bad_samples_and_image_sets_are_refused() {
        let source = eight_gaussians();
        assert!(
            compare_samples(&source, &[0.0; 31], 1).is_err(),
            "odd length"
        );
        assert!(compare_samples(&source, &[0.0; 8], 1).is_err(), "too few");
        let mut bad = vec![0.5f32; 64];
        bad[9] = f32::NAN;
        let error = compare_samples(&source, &bad, 1).unwrap_err().to_string();
        assert!(error.contains("coordinate 1 of point 4"), "{error}");
        let digits = DataSource::Digits(crate::data::digits::DigitImages::new());
        assert!(compare_samples(&digits, &[0.0; 64], 1).is_err());
    }
}
