//! The model's density beside the data's, on one grid, for the page's pair of heatmaps: the
//! model's own density where the family has one, otherwise a KDE of its samples (said so); and
//! the GAN's optimal discriminator from the same like-for-like smoothing.

use serde::Serialize;

use super::{ModelDensity, ReferenceGrid, reference_density};
use crate::data::DataSource;
use crate::metrics::{MetricError, kde_grid, optimal_discriminator, scott_bandwidth, smooth_grid};

/// Two densities over the data window at the cell centres of one `resolution²` grid
/// (row-major, first row at the lowest y), each with how it was computed.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DensityMaps {
    /// Cells per axis.
    pub resolution: usize,
    /// The model's density per cell.
    pub model: Vec<f64>,
    /// The data's reference density per cell.
    pub data: Vec<f64>,
    /// How `model` was computed.
    pub model_method: String,
    /// How `data` was computed.
    pub data_method: String,
}

/// The maps for model samples `samples` (row-major `[n, 2]`) and, when the family has one, its
/// log-density on the reference's density grid; `data_method` says how the reference is known.
pub fn density_maps(
    reference: &ReferenceGrid,
    samples: &[f32],
    density: Option<&ModelDensity>,
    data_method: &str,
) -> Result<DensityMaps, MetricError> {
    let (resolution, data) = reference.coarse.clone();
    let (model, model_method) = match density {
        Some(density) => (
            density.grid.iter().map(|log_q| log_q.exp()).collect(),
            format!("the model's own density ({})", density.method),
        ),
        None => {
            let bandwidth = scott_bandwidth(samples)?;
            let bounds = reference.bounds();
            let grid = kde_grid(samples, bounds, resolution, bandwidth)?;
            let method = format!(
                "Gaussian KDE of {} model samples (no tractable density), Scott bandwidth \
                 ({:.3}, {:.3})",
                samples.len() / 2,
                bandwidth[0],
                bandwidth[1]
            );
            let smoothed = smooth_grid(&data, bounds, resolution, bandwidth)?;
            let data_method = format!(
                "{data_method}, smoothed by the same Gaussian kernel as the model's KDE (so the \
                 two are comparable)"
            );
            return Ok(DensityMaps {
                resolution,
                model: grid,
                data: smoothed,
                model_method: method,
                data_method,
            });
        }
    };
    Ok(DensityMaps {
        resolution,
        model,
        data,
        model_method,
        data_method: data_method.to_string(),
    })
}

/// The optimal discriminator `D* = p/(p + q)` against model samples (row-major `[n, 2]`) at the
/// cell centres of a `resolution²` grid over the source's window: `q` a Gaussian KDE of the
/// samples (Scott's rule) and `p` the data's reference density smoothed by the same kernel, so
/// that samples drawn from the data itself give D* ≈ ½ wherever there is mass. (A raw `p`
/// against a smoothed `q` does not: on 8 gaussians it gave 0.78 at the modes and 0.10 between.)
pub fn optimal_discriminator_map(
    source: &DataSource,
    samples: &[f32],
    resolution: usize,
) -> Result<Vec<f64>, MetricError> {
    let bounds = source.bounds();
    let bandwidth = scott_bandwidth(samples)?;
    let q = kde_grid(samples, bounds, resolution, bandwidth)?;
    let p = smooth_grid(
        &reference_density(source, bounds, resolution)?,
        bounds,
        resolution,
        bandwidth,
    )?;
    Ok(optimal_discriminator(&p, &q))
}

/// Generator samples behind the optimal discriminator's KDE.
pub const OPTIMAL_DISCRIMINATOR_SAMPLES: usize = 2000;
/// Cells per axis of the grid on which the optimal discriminator is computed (the page's heatmap
/// grid, so that its cell centres take exact values).
pub const OPTIMAL_DISCRIMINATOR_RESOLUTION: usize = 48;

/// The optimal discriminator against `model_samples` (row-major `[n, 2]`) at `points` (row-major
/// `[m, 2]`): [`optimal_discriminator_map`] on the
/// [`OPTIMAL_DISCRIMINATOR_RESOLUTION`]² grid over the source's window, interpolated bilinearly
/// between cell centres (exact at them; clamped to the outermost centres outside).
pub fn optimal_discriminator_at(
    source: &DataSource,
    model_samples: &[f32],
    points: &[f32],
) -> Result<Vec<f64>, MetricError> {
    let r = OPTIMAL_DISCRIMINATOR_RESOLUTION;
    let map = optimal_discriminator_map(source, model_samples, r)?;
    let bounds = source.bounds();
    let dx = f64::from(bounds.x_max - bounds.x_min) / r as f64;
    let dy = f64::from(bounds.y_max - bounds.y_min) / r as f64;
    let axis = |value: f64| {
        let u = (value - 0.5).clamp(0.0, (r - 1) as f64);
        let low = (u.floor() as usize).min(r - 2);
        (low, u - low as f64)
    };
    Ok(points
        .chunks_exact(2)
        .map(|p| {
            let (i, s) = axis(f64::from(p[0] - bounds.x_min) / dx);
            let (j, t) = axis(f64::from(p[1] - bounds.y_min) / dy);
            let at = |i: usize, j: usize| map[j * r + i];
            (1.0 - t) * ((1.0 - s) * at(i, j) + s * at(i + 1, j))
                + t * ((1.0 - s) * at(i, j + 1) + s * at(i + 1, j + 1))
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{DataSource, Dataset, seeded_rng};
    use crate::evaluation::{cell_centres, reference_density};

    fn source() -> DataSource {
        DataSource::Named(Dataset::EightGaussians)
    }

    /// Total variation between two density grids over the same cells.
    fn tv(p: &[f64], q: &[f64]) -> f64 {
        let (sp, sq): (f64, f64) = (p.iter().sum(), q.iter().sum());
        0.5 * p
            .iter()
            .zip(q)
            .map(|(a, b)| (a / sp - b / sq).abs())
            .sum::<f64>()
    }

    #[test]
    fn a_model_density_is_drawn_as_it_is() {
        let source = source();
        let reference = ReferenceGrid::new(&source, 16).unwrap();
        let mixture = source.mixture().unwrap();
        let centres = cell_centres(reference.bounds(), 16);
        let log_q: Vec<f64> = centres
            .chunks_exact(2)
            .map(|p| mixture.log_density([p[0] as f64, p[1] as f64]))
            .collect();
        let density = ModelDensity {
            grid: log_q.clone(),
            at_data: None,
            method: "exact",
            lower_bound: false,
        };
        let maps = density_maps(&reference, &[], Some(&density), "analytic").unwrap();
        for (m, l) in maps.model.iter().zip(&log_q) {
            assert!(
                (m - l.exp()).abs() <= 1e-12 * l.exp().max(1.0),
                "{m} vs {}",
                l.exp()
            );
        }
        let data = reference_density(&source, reference.bounds(), 16).unwrap();
        assert_eq!(maps.data, data, "the data map is the reference, unsmoothed");
        assert!(maps.model_method.contains("exact"));
    }

    #[test]
    fn a_kde_of_data_samples_matches_the_data_and_shifted_samples_do_not() {
        let source = source();
        let reference = ReferenceGrid::new(&source, 48).unwrap();
        let samples = source.sample(4000, &mut seeded_rng(5));
        let maps = density_maps(&reference, &samples, None, "analytic").unwrap();
        assert_eq!(maps.model.len(), 48 * 48);
        let close = tv(&maps.model, &maps.data);
        assert!(
            close < 0.1,
            "KDE of data vs the same-kernel data: TV {close}"
        );
        let shifted: Vec<f32> = samples.iter().map(|v| v * 0.3).collect();
        let far = density_maps(&reference, &shifted, None, "analytic").unwrap();
        let apart = tv(&far.model, &far.data);
        assert!(apart > 0.6, "samples shrunk to the centre: TV {apart}");
        assert!(far.model_method.contains("KDE of 4000"));
    }

    /// Cells holding at least 10⁻³ of the data's mass, on the view's 48² grid.
    fn massive_cells(source: &DataSource) -> Vec<usize> {
        let bounds = source.bounds();
        let p = reference_density(source, bounds, 48).unwrap();
        let area = (bounds.x_max - bounds.x_min) as f64 * (bounds.y_max - bounds.y_min) as f64
            / (48.0 * 48.0);
        (0..p.len()).filter(|&k| p[k] * area >= 1e-3).collect()
    }

    #[test]
    fn data_samples_face_an_optimal_discriminator_of_one_half() {
        // The page's view: 2 000 model samples, 48² cells. Samples drawn from the data itself.
        for source in [source(), DataSource::Named(Dataset::Checkerboard)] {
            let samples = source.sample(2000, &mut seeded_rng(11));
            let d_star = optimal_discriminator_map(&source, &samples, 48).unwrap();
            let cells = massive_cells(&source);
            assert!(cells.len() > 50, "{} cells", cells.len());
            let worst = cells
                .iter()
                .map(|&k| (d_star[k] - 0.5).abs())
                .fold(0.0, f64::max);
            assert!(worst <= 0.1, "{source:?}: max |D* − ½| = {worst}");
        }
    }

    #[test]
    fn a_shifted_model_faces_a_discriminator_that_tells_it_apart() {
        let source = source();
        let samples: Vec<f32> = source
            .sample(2000, &mut seeded_rng(12))
            .chunks_exact(2)
            .flat_map(|p| [p[0] + 1.0, p[1]])
            .collect();
        let d_star = optimal_discriminator_map(&source, &samples, 48).unwrap();
        let cells = massive_cells(&source);
        let mean = cells.iter().map(|&k| (d_star[k] - 0.5).abs()).sum::<f64>() / cells.len() as f64;
        assert!(
            mean > 0.15,
            "mean |D* − ½| = {mean} against a model shifted by one unit"
        );
    }

    #[test]
    fn the_optimal_discriminator_at_points_is_the_map_at_its_cell_centres_and_between_them() {
        let source = source();
        let samples: Vec<f32> = source
            .sample(2000, &mut seeded_rng(3))
            .iter()
            .map(|v| v * 0.6)
            .collect();
        let r = OPTIMAL_DISCRIMINATOR_RESOLUTION;
        let map = optimal_discriminator_map(&source, &samples, r).unwrap();
        let b = source.bounds();
        let (dx, dy) = (
            (b.x_max - b.x_min) / r as f32,
            (b.y_max - b.y_min) / r as f32,
        );
        let centre = |i: usize, j: usize| {
            [
                b.x_min + (i as f32 + 0.5) * dx,
                b.y_min + (j as f32 + 0.5) * dy,
            ]
        };
        let mut points = Vec::new();
        for (i, j) in [(0, 0), (7, 30), (47, 47), (20, 5)] {
            points.extend(centre(i, j));
        }
        let at = optimal_discriminator_at(&source, &samples, &points).unwrap();
        for (k, (i, j)) in [(0, 0), (7, 30), (47, 47), (20, 5)].into_iter().enumerate() {
            assert!((at[k] - map[j * r + i]).abs() < 1e-5, "centre ({i}, {j})");
        }
        // Half-way between two centres: their mean; beyond the window: the edge's value.
        let [x0, y0] = centre(10, 12);
        let between = [x0 + dx / 2.0, y0, b.x_max + 5.0, y0];
        let at = optimal_discriminator_at(&source, &samples, &between).unwrap();
        let mean = 0.5 * (map[12 * r + 10] + map[12 * r + 11]);
        assert!((at[0] - mean).abs() < 1e-5, "{} vs {mean}", at[0]);
        assert!((at[1] - map[12 * r + r - 1]).abs() < 1e-9);
    }
}
