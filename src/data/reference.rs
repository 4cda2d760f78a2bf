//! Reference densities of the datasets on a grid, as cell averages.
//!
//! - Mixtures (8 gaussians): the analytic density, averaged over 3×3 points per cell.
//! - Checkerboard: exact (uniform 1/32 on eight 2×2 squares; cell overlap areas).
//! - Moons, circles, rings, swiss roll, two spirals: each is a known curve (or a curve carrying a
//!   small uniform box) convolved with isotropic Gaussian noise. The curve parameter is
//!   integrated with the midpoint rule on [`CURVE_NODES`] nodes, and each node's Gaussian (or
//!   box ⊗ Gaussian) mass in every cell is exact, from the normal CDF. Node spacing is below a
//!   tenth of the noise σ for every set, so the quadrature error is far below 10⁻³ in total
//!   variation.
//! - Pinwheel: the push-forward of a 2-D Gaussian through a smooth map, integrated with a
//!   [`PINWHEEL_NODES`]² product midpoint rule over ±6 standard deviations, each node's mass put
//!   in its cell (accurate to about 10⁻² in total variation at resolution ≤ 256).

use std::f64::consts::{PI, SQRT_2};

use libm::erf;
use serde::Serialize;

use super::toy::{SWISS_ROLL_T, pinwheel_map};
use super::{Bounds, DataError, Dataset, GaussianMixture, Grid};

/// Midpoint nodes per curve.
pub const CURVE_NODES: usize = 4000;
/// Midpoint nodes per axis of the pinwheel's Gaussian, per arm.
pub const PINWHEEL_NODES: usize = 600;

/// How a reference quantity is known.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Exactness {
    /// In closed form.
    Exact,
    /// By numerical integration, to the accuracy stated in [`Reference::method`].
    Numerical,
    /// Not available.
    Unavailable,
}

/// What is known exactly about a dataset, and how its reference density is computed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Reference {
    /// The density on a grid.
    pub density: Exactness,
    /// The score `∇log p` (also of the data noised by any σ).
    pub score: Exactness,
    /// The method and its accuracy.
    pub method: &'static str,
}

impl Dataset {
    /// How this set's reference density and score are known.
    pub fn reference(self) -> Reference {
        let curve = "the set's curve convolved with its Gaussian noise: midpoint rule on 4 000 \
                     nodes, exact Gaussian cell masses; error < 10⁻³ in total variation";
        let (density, score, method) = match self {
            Dataset::EightGaussians => (
                Exactness::Exact,
                Exactness::Exact,
                "analytic Gaussian mixture",
            ),
            Dataset::Checkerboard => (
                Exactness::Exact,
                Exactness::Unavailable,
                "uniform 1/32 on eight squares, exact cell overlaps",
            ),
            Dataset::Pinwheel => (
                Exactness::Numerical,
                Exactness::Unavailable,
                "push-forward of the arm Gaussians: 600×600 midpoint nodes per arm; ≈ 10⁻² in total variation",
            ),
            _ => (Exactness::Numerical, Exactness::Unavailable, curve),
        };
        Reference {
            density,
            score,
            method,
        }
    }

    /// The exact mixture behind this set, where it is one (8 gaussians).
    pub fn mixture(self) -> Option<GaussianMixture> {
        if self != Dataset::EightGaussians {
            return None;
        }
        let r = 4.0 / 1.414;
        let s2 = (0.5f64 / 1.414).powi(2);
        let means = (0..8)
            .map(|k| {
                let a = PI / 4.0 * k as f64;
                [r * a.cos(), r * a.sin()]
            })
            .collect();
        GaussianMixture::new(vec![1.0; 8], means, vec![[s2, 0.0, 0.0, s2]; 8]).ok()
    }

    /// The reference density as cell averages on a `resolution²` grid over `bounds`.
    pub fn density_grid(self, bounds: Bounds, resolution: usize) -> Result<Grid, DataError> {
        let mut grid = Grid::zeros(bounds, resolution)?;
        match self {
            Dataset::EightGaussians => {
                let mixture = self
                    .mixture()
                    .ok_or_else(|| DataError::new("8 gaussians is a mixture"))?;
                return mixture.density_grid(bounds, resolution);
            }
            Dataset::Checkerboard => checkerboard(&mut grid),
            Dataset::Pinwheel => pinwheel(&mut grid),
            Dataset::Moons => {
                let w = 0.5 / CURVE_NODES as f64;
                for t in midpoints(0.0, PI) {
                    add_node(
                        &mut grid,
                        w,
                        [2.0 * t.cos() - 1.0, 2.0 * t.sin() - 0.2],
                        [0.0; 2],
                        0.2,
                    );
                    add_node(
                        &mut grid,
                        w,
                        [1.0 - 2.0 * t.cos(), 0.8 - 2.0 * t.sin()],
                        [0.0; 2],
                        0.2,
                    );
                }
            }
            Dataset::Circles => circles(&mut grid, &[3.0, 1.5], 0.24),
            Dataset::Rings => circles(&mut grid, &[3.0, 2.25, 1.5, 0.75], 0.08),
            Dataset::SwissRoll => {
                let (lo, hi) = (SWISS_ROLL_T.0 as f64, SWISS_ROLL_T.1 as f64);
                for t in midpoints(lo, hi) {
                    add_node(
                        &mut grid,
                        1.0 / CURVE_NODES as f64,
                        [t * t.cos() / 5.0, t * t.sin() / 5.0],
                        [0.0; 2],
                        0.2,
                    );
                }
            }
            Dataset::TwoSpirals => {
                let box_side = 0.5 / 3.0;
                for u in midpoints(0.0, 1.0) {
                    let n = u.sqrt() * 3.0 * PI;
                    let corner = [-n.cos() * n / 3.0, n.sin() * n / 3.0];
                    let w = 0.5 / CURVE_NODES as f64;
                    add_node(&mut grid, w, corner, [box_side; 2], 0.1);
                    add_node(&mut grid, w, [-corner[0], -corner[1]], [-box_side; 2], 0.1);
                }
            }
        }
        Ok(grid)
    }
}

impl GaussianMixture {
    /// The mixture's density as cell averages (3×3 midpoints per cell) on a grid.
    pub fn density_grid(&self, bounds: Bounds, resolution: usize) -> Result<Grid, DataError> {
        let mut grid = Grid::zeros(bounds, resolution)?;
        let (dx, dy) = grid.cell_size();
        let (x0, y0) = (bounds.x_min as f64, bounds.y_min as f64);
        for j in 0..resolution {
            for i in 0..resolution {
                let mut sum = 0.0;
                for a in 0..3 {
                    for b in 0..3 {
                        let x = x0 + (i as f64 + (a as f64 + 0.5) / 3.0) * dx;
                        let y = y0 + (j as f64 + (b as f64 + 0.5) / 3.0) * dy;
                        sum += self.log_density([x, y]).exp();
                    }
                }
                grid.values[j * resolution + i] = sum / 9.0;
            }
        }
        Ok(grid)
    }
}

/// The [`CURVE_NODES`] midpoints `a + (i + ½)(b − a)/N` of `[a, b]`.
fn midpoints(a: f64, b: f64) -> impl Iterator<Item = f64> {
    let h = (b - a) / CURVE_NODES as f64;
    (0..CURVE_NODES).map(move |i| a + (i as f64 + 0.5) * h)
}

fn circles(grid: &mut Grid, radii: &[f64], sigma: f64) {
    let w = 1.0 / (radii.len() * CURVE_NODES) as f64;
    for angle in midpoints(0.0, 2.0 * PI) {
        for r in radii {
            add_node(grid, w, [r * angle.cos(), r * angle.sin()], [0.0; 2], sigma);
        }
    }
}

fn normal_cdf(x: f64) -> f64 {
    0.5 * (1.0 + erf(x / SQRT_2))
}

/// `∫ Φ = xΦ(x) + φ(x)`.
fn integrated_cdf(x: f64) -> f64 {
    x * normal_cdf(x) + (-0.5 * x * x).exp() / (2.0 * PI).sqrt()
}

/// Mass in `[lo, hi]` of `U[c, c + w] + N(0, σ²)` (a point at `c` when `w = 0`).
fn axis_mass(lo: f64, hi: f64, c: f64, w: f64, sigma: f64) -> f64 {
    let (c, w) = if w < 0.0 { (c + w, -w) } else { (c, w) };
    if w < 1e-12 {
        return normal_cdf((hi - c) / sigma) - normal_cdf((lo - c) / sigma);
    }
    let g = |x: f64| integrated_cdf(x / sigma);
    sigma / w * (g(hi - c) - g(hi - c - w) - g(lo - c) + g(lo - c - w))
}

/// The masses of `U[c, c + w] + N(0, σ²)` in the cells between `edges` that lie within 7σ,
/// as `(first cell, masses)`.
fn axis_masses(edges: &[f64], c: f64, w: f64, sigma: f64) -> (usize, Vec<f64>) {
    let (lo, hi) = (c.min(c + w) - 7.0 * sigma, c.max(c + w) + 7.0 * sigma);
    let cells = edges.len() - 1;
    let first = edges
        .partition_point(|e| *e <= lo)
        .saturating_sub(1)
        .min(cells);
    let last = edges.partition_point(|e| *e < hi).min(cells);
    let masses = (first..last)
        .map(|i| axis_mass(edges[i], edges[i + 1], c, w, sigma))
        .collect();
    (first, masses)
}

/// Adds `weight × (box ⊗ Gaussian)` to the grid as cell-average density.
fn add_node(grid: &mut Grid, weight: f64, corner: [f64; 2], sides: [f64; 2], sigma: f64) {
    let (xs, ys) = (grid.x_edges(), grid.y_edges());
    let (i0, mx) = axis_masses(&xs, corner[0], sides[0], sigma);
    let (j0, my) = axis_masses(&ys, corner[1], sides[1], sigma);
    let scale = weight / grid.cell_area();
    let resolution = grid.resolution;
    for (dj, py) in my.iter().enumerate() {
        let row = (j0 + dj) * resolution;
        for (di, px) in mx.iter().enumerate() {
            grid.values[row + i0 + di] += scale * px * py;
        }
    }
}

/// Exact cell averages of the checkerboard: columns `[2k, 2k + 2]`, k = −2 … 1, each holding two
/// 2×2 squares, density 1/32.
fn checkerboard(grid: &mut Grid) {
    let mut squares = Vec::new();
    for k in -2i32..2 {
        let rows: [f64; 2] = if k.rem_euclid(2) == 0 {
            [0.0, -2.0]
        } else {
            [1.0, -1.0]
        };
        for r in rows {
            squares.push([2.0 * k as f64, 2.0 * r]);
        }
    }
    let (xs, ys) = (grid.x_edges(), grid.y_edges());
    let overlap = |a0: f64, a1: f64, b0: f64| (a1.min(b0 + 2.0) - a0.max(b0)).max(0.0);
    let area = grid.cell_area();
    let resolution = grid.resolution;
    for j in 0..resolution {
        for i in 0..resolution {
            let covered: f64 = squares
                .iter()
                .map(|s| overlap(xs[i], xs[i + 1], s[0]) * overlap(ys[j], ys[j + 1], s[1]))
                .sum();
            grid.values[j * resolution + i] = covered / area / 32.0;
        }
    }
}

/// The pinwheel's push-forward, node masses put in their cells.
fn pinwheel(grid: &mut Grid) {
    let n = PINWHEEL_NODES;
    let (std0, std1) = (0.3, 0.1);
    let z = |i: usize| -6.0 + 12.0 * (i as f64 + 0.5) / n as f64;
    let weights: Vec<f64> = (0..n).map(|i| (-0.5 * z(i) * z(i)).exp()).collect();
    let total: f64 = weights.iter().sum::<f64>().powi(2) * 5.0;
    let (xs, ys) = (grid.x_edges(), grid.y_edges());
    let area = grid.cell_area();
    let resolution = grid.resolution;
    for k in 0..5 {
        for (a, wa) in weights.iter().enumerate() {
            for (b, wb) in weights.iter().enumerate() {
                let [x, y] = pinwheel_map(k, [1.0 + std0 * z(a), std1 * z(b)]);
                let i = xs.partition_point(|e| *e <= x);
                let j = ys.partition_point(|e| *e <= y);
                if (1..=resolution).contains(&i) && (1..=resolution).contains(&j) {
                    grid.values[(j - 1) * resolution + i - 1] += wa * wb / total / area;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::seeded_rng;

    #[test]
    fn every_reference_density_integrates_to_one_on_its_bounds() {
        // Mass outside [−4.5, 4.5]² is below 10⁻³ for every set; the curve quadratures and the
        // exact cell masses add far less.
        for set in Dataset::ALL {
            let grid = set.density_grid(set.bounds(), 128).unwrap();
            let mass = grid.mass();
            assert!((mass - 1.0).abs() < 2e-3, "{}: mass {mass}", set.name());
            assert!(grid.values.iter().all(|v| v.is_finite() && *v >= 0.0));
        }
    }

    #[test]
    fn every_sampler_agrees_with_its_reference_density() {
        // Total variation between the normalised 64×64 histogram of 10⁶ samples and the
        // reference cell masses. Histogram noise alone gives ≈ ½Σ√(2p/πn) ≈ 0.01–0.015 here.
        let n = 1_000_000;
        for set in Dataset::ALL {
            let grid = set.density_grid(set.bounds(), 64).unwrap();
            let (xs, ys) = (grid.x_edges(), grid.y_edges());
            let mut counts = vec![0.0; 64 * 64];
            for p in set.sample(n, &mut seeded_rng(17)).chunks(2) {
                let i = xs.partition_point(|e| *e <= p[0] as f64);
                let j = ys.partition_point(|e| *e <= p[1] as f64);
                if (1..=64).contains(&i) && (1..=64).contains(&j) {
                    counts[(j - 1) * 64 + i - 1] += 1.0 / n as f64;
                }
            }
            let area = grid.cell_area();
            let tv: f64 = 0.5
                * counts
                    .iter()
                    .zip(&grid.values)
                    .map(|(c, v)| (c - v * area).abs())
                    .sum::<f64>();
            assert!(tv < 0.03, "{}: total variation {tv}", set.name());
        }
    }

    #[test]
    fn the_eight_gaussians_mixture_is_the_sampler() {
        let mixture = Dataset::EightGaussians.mixture().unwrap();
        assert_eq!(mixture.components().count(), 8);
        assert!(Dataset::Moons.mixture().is_none());
        assert_eq!(Dataset::EightGaussians.reference().score, Exactness::Exact);
        assert_eq!(Dataset::Moons.reference().score, Exactness::Unavailable);
    }

    #[test]
    fn box_convolved_masses_match_their_limits() {
        // A box of width → 0 is a point; the masses over the whole line sum to 1.
        let point = axis_mass(-0.3, 0.7, 0.1, 0.0, 0.4);
        let thin = axis_mass(-0.3, 0.7, 0.1, 1e-6, 0.4);
        assert!((point - thin).abs() < 1e-6);
        let edges: Vec<f64> = (0..=200).map(|i| -10.0 + 0.1 * i as f64).collect();
        let (_, masses) = axis_masses(&edges, -0.5, 1.0, 0.3);
        assert!((masses.iter().sum::<f64>() - 1.0).abs() < 1e-9);
        // Negative widths mirror the box.
        assert!(
            (axis_mass(0.0, 1.0, 0.5, -0.5, 0.2) - axis_mass(0.0, 1.0, 0.0, 0.5, 0.2)).abs()
                < 1e-12
        );
    }

    #[test]
    fn invalid_grids_are_rejected() {
        let bounds = Dataset::Moons.bounds();
        assert!(Dataset::Moons.density_grid(bounds, 0).is_err());
        assert!(Dataset::Moons.density_grid(bounds, 5000).is_err());
        let flat = Bounds {
            x_max: bounds.x_min,
            ..bounds
        };
        assert!(Dataset::Moons.density_grid(flat, 16).is_err());
        let nan = Bounds {
            y_min: f32::NAN,
            ..bounds
        };
        assert!(Dataset::Moons.density_grid(nan, 16).is_err());
    }
}
