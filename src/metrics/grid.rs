//! Divergences between two densities tabulated on the same grid.
//!
//! Each density is turned into cell masses (value × cell area, renormalised over the grid) and
//! smoothed by mixing with the uniform distribution at weight [`SMOOTHING`], so that every KL is
//! finite. The sums then approximate the continuous divergences (the cell area cancels).

use super::MetricError;

/// Weight of the uniform distribution mixed into both sides before any grid divergence.
pub const SMOOTHING: f64 = 1e-4;

/// Cell masses of a tabulated density: non-negative, renormalised, smoothed.
pub fn cell_masses(values: &[f64]) -> Result<Vec<f64>, MetricError> {
    if values.is_empty() {
        return Err(MetricError::new("the density grid is empty"));
    }
    if let Some(bad) = values.iter().find(|v| !v.is_finite() || **v < 0.0) {
        return Err(MetricError::new(format!(
            "density values must be finite and ≥ 0, got {bad}"
        )));
    }
    let total: f64 = values.iter().sum();
    if total <= 0.0 {
        return Err(MetricError::new("the density is zero on the whole grid"));
    }
    let uniform = 1.0 / values.len() as f64;
    Ok(values
        .iter()
        .map(|v| (1.0 - SMOOTHING) * v / total + SMOOTHING * uniform)
        .collect())
}

fn same_grid(p: &[f64], q: &[f64]) -> Result<(), MetricError> {
    if p.len() != q.len() {
        return Err(MetricError::new(format!(
            "the two densities are on different grids ({} and {} cells)",
            p.len(),
            q.len()
        )));
    }
    Ok(())
}

/// `KL(p‖q) = Σ p log(p/q)` in nats, on cell masses from [`cell_masses`].
pub fn kl(p: &[f64], q: &[f64]) -> Result<f64, MetricError> {
    same_grid(p, q)?;
    Ok(p.iter()
        .zip(q)
        .filter(|(a, _)| **a > 0.0)
        .map(|(a, b)| a * (a / b).ln())
        .sum())
}

/// Jensen–Shannon divergence `½KL(p‖m) + ½KL(q‖m)`, `m = ½(p + q)`, in nats (≤ ln 2).
pub fn jensen_shannon(p: &[f64], q: &[f64]) -> Result<f64, MetricError> {
    same_grid(p, q)?;
    let m: Vec<f64> = p.iter().zip(q).map(|(a, b)| 0.5 * (a + b)).collect();
    Ok(0.5 * kl(p, &m)? + 0.5 * kl(q, &m)?)
}

/// Total variation `½ Σ |p − q|` (a probability, 0 ..= 1).
pub fn total_variation(p: &[f64], q: &[f64]) -> Result<f64, MetricError> {
    same_grid(p, q)?;
    Ok(0.5 * p.iter().zip(q).map(|(a, b)| (a - b).abs()).sum::<f64>())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn discrete_closed_forms() {
        // p = (½, ½), q = (¼, ¾): KL(p‖q) = ½ ln 2 + ½ ln(2/3); KL(q‖p) = ¼ ln ½ + ¾ ln(3/2).
        let (p, q) = ([0.5, 0.5], [0.25, 0.75]);
        let forward = 0.5 * 2f64.ln() + 0.5 * (2.0f64 / 3.0).ln();
        let reverse = 0.25 * 0.5f64.ln() + 0.75 * 1.5f64.ln();
        assert!((kl(&p, &q).unwrap() - forward).abs() < 1e-12);
        assert!((kl(&q, &p).unwrap() - reverse).abs() < 1e-12);
        assert!((total_variation(&p, &q).unwrap() - 0.25).abs() < 1e-12);
        // Disjoint supports: JS = ln 2, TV = 1.
        let (a, b) = ([1.0, 0.0], [0.0, 1.0]);
        assert!((jensen_shannon(&a, &b).unwrap() - 2f64.ln()).abs() < 1e-12);
        assert!((total_variation(&a, &b).unwrap() - 1.0).abs() < 1e-12);
        // m = (3/8, 5/8): JS = ½[½ ln(4/3) + ½ ln(4/5)] + ½[¼ ln(2/3) + ¾ ln(6/5)].
        let js = 0.5 * (0.5 * (4.0f64 / 3.0).ln() + 0.5 * 0.8f64.ln())
            + 0.5 * (0.25 * (2.0f64 / 3.0).ln() + 0.75 * 1.2f64.ln());
        assert!((jensen_shannon(&p, &q).unwrap() - js).abs() < 1e-12);
    }

    #[test]
    fn symmetry_is_exactly_as_defined() {
        let (p, q) = ([0.1, 0.6, 0.3], [0.3, 0.3, 0.4]);
        assert_ne!(kl(&p, &q).unwrap(), kl(&q, &p).unwrap());
        assert_eq!(
            jensen_shannon(&p, &q).unwrap(),
            jensen_shannon(&q, &p).unwrap()
        );
        assert_eq!(
            total_variation(&p, &q).unwrap(),
            total_variation(&q, &p).unwrap()
        );
        assert_eq!(kl(&p, &p).unwrap(), 0.0);
    }

    #[test]
    fn gaussian_kl_on_a_fine_grid_matches_the_closed_form() {
        // 1-D N(0,1) vs N(1, 2²) tabulated on 4 000 cells over [-12, 12] (a row of a 2-D grid
        // behaves identically): KL = ln(σ₂/σ₁) + (σ₁² + Δμ²)/(2σ₂²) − ½.
        let cells = 4000;
        let (lo, hi) = (-12.0, 12.0);
        let dx = (hi - lo) / cells as f64;
        let pdf = |x: f64, m: f64, s: f64| (-(x - m).powi(2) / (2.0 * s * s)).exp() / s;
        let centres: Vec<f64> = (0..cells).map(|i| lo + (i as f64 + 0.5) * dx).collect();
        let p = cell_masses(
            &centres
                .iter()
                .map(|&x| pdf(x, 0.0, 1.0))
                .collect::<Vec<_>>(),
        )
        .unwrap();
        let q = cell_masses(
            &centres
                .iter()
                .map(|&x| pdf(x, 1.0, 2.0))
                .collect::<Vec<_>>(),
        )
        .unwrap();
        let exact = 2f64.ln() + (1.0 + 1.0) / 8.0 - 0.5;
        // The uniform smoothing at weight 1e-4 shifts KL by O(1e-3) here.
        assert!(
            (kl(&p, &q).unwrap() - exact).abs() < 2e-3,
            "{}",
            kl(&p, &q).unwrap()
        );
    }

    #[test]
    fn invalid_grids_are_errors() {
        assert!(cell_masses(&[]).is_err());
        assert!(cell_masses(&[0.0, 0.0]).is_err());
        assert!(cell_masses(&[1.0, f64::NAN]).is_err());
        assert!(cell_masses(&[1.0, -1.0]).is_err());
        assert!(kl(&[0.5, 0.5], &[1.0]).is_err());
    }
}
