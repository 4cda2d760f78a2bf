//! Where training data comes from: one of the named reference sets, a Gaussian mixture given by
//! its parameters, or the user's own points.

use rand::Rng;
use serde::Serialize;

use super::digits::{self, DigitImages, ImageSet};
use super::{
    Bounds, DataError, Dataset, EmpiricalSet, Exactness, GaussianMixture, Grid, Reference,
    Standardisation, parse_points_csv, seeded_rng,
};

/// Samples of a named set that its [`Standardisation`] is fitted to.
pub const FIT_POINTS: usize = 1 << 15;
/// Seed of those samples: the same map in every lab, whatever its training seed.
const FIT_SEED: u64 = 0x5747_4e44;
/// Cells per axis of the grid that checks a mixture's density is resolved on its window.
const CHECK_RESOLUTION: usize = 64;

/// A data source as written in options: a dataset name (`"moons"`), the image set `"digits"`,
/// or an object
/// `{"kind": "mixture", "weights": [...], "means": [[x, y], ...], "covariances": [[a, b, c, d], ...]}`
/// or `{"kind": "points", "csv": "x,y\n..."}`.
/// Parsed by hand (`spec.rs`) so that a rejection says what was expected and where.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum DatasetSpec {
    /// A named reference set.
    Named(Dataset),
    /// A shipped image set.
    Images(ImageSet),
    /// A set given by its parameters or points.
    Custom(CustomDataset),
}

/// The custom data sources.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CustomDataset {
    /// `Σ_k w_k N(μ_k, Σ_k)`, covariances row-major 2×2.
    Mixture {
        /// Component weights (normalised).
        weights: Vec<f64>,
        /// Component means.
        means: Vec<[f64; 2]>,
        /// Component covariances `[a, b, c, d]`.
        covariances: Vec<[f64; 4]>,
    },
    /// The user's points as CSV `x,y` rows.
    Points {
        /// The CSV text.
        csv: String,
    },
}

impl Default for DatasetSpec {
    fn default() -> Self {
        DatasetSpec::Named(Dataset::EightGaussians)
    }
}

impl DatasetSpec {
    /// Builds (and so validates) the source; custom data must be learnable (see
    /// [`DataSource::standardisation`]).
    pub fn build(&self) -> Result<DataSource, DataError> {
        let source = match self {
            DatasetSpec::Named(set) => DataSource::Named(*set),
            DatasetSpec::Images(ImageSet::Digits) => DataSource::Digits(DigitImages::new()),
            DatasetSpec::Custom(CustomDataset::Mixture {
                weights,
                means,
                covariances,
            }) => DataSource::Mixture(GaussianMixture::new(
                weights.clone(),
                means.clone(),
                covariances.clone(),
            )?),
            DatasetSpec::Custom(CustomDataset::Points { csv }) => {
                DataSource::Points(EmpiricalSet::new(parse_points_csv(csv)?)?)
            }
        };
        if let DatasetSpec::Custom(_) = self {
            source.check()?;
        }
        Ok(source)
    }
}

/// A built, valid data source.
#[derive(Clone, Debug, PartialEq)]
pub enum DataSource {
    /// A named reference set.
    Named(Dataset),
    /// A Gaussian mixture.
    Mixture(GaussianMixture),
    /// The user's points.
    Points(EmpiricalSet),
    /// The 8×8 digits: points in `[0, 1]^64`.
    Digits(DigitImages),
}

impl DataSource {
    /// Coordinates per point: 2, or the pixels of an image.
    pub fn dim(&self) -> usize {
        match self {
            DataSource::Digits(_) => digits::PIXELS,
            _ => 2,
        }
    }

    /// The images behind an image source.
    pub fn images(&self) -> Option<&DigitImages> {
        match self {
            DataSource::Digits(images) => Some(images),
            _ => None,
        }
    }

    /// A short description for the page, e.g. `"moons"` or `"your 120 points"`.
    pub fn name(&self) -> String {
        match self {
            DataSource::Named(set) => set.name().to_string(),
            DataSource::Mixture(m) => format!("a mixture of {} Gaussians", m.components().count()),
            DataSource::Points(points) => format!("your {} points", points.len()),
            DataSource::Digits(images) => format!(
                "the 8×8 digits ({} training images)",
                images.train.len() / digits::PIXELS
            ),
        }
    }

    /// `n` samples, row-major `[n, dim]` (training images, dequantised, for an image source).
    pub fn sample(&self, n: usize, rng: &mut impl Rng) -> Vec<f32> {
        match self {
            DataSource::Named(set) => set.sample(n, rng),
            DataSource::Mixture(m) => m.sample(n, rng),
            DataSource::Points(points) => points.sample(n, rng),
            DataSource::Digits(images) => images.sample(n, rng),
        }
    }

    /// A square window holding the source's mass: `[−4.5, 4.5]²` for the named sets; for a
    /// mixture, the box of every component's mean ± 4 standard deviations; for points, their
    /// box with a 10 % margin; the unit square (the pixel range) for images. A box that is not
    /// square grows about its centre to the square of its longer side, so the data fill the
    /// window along one axis at least, in any units.
    pub fn bounds(&self) -> Bounds {
        let (x, y) = match self {
            DataSource::Named(set) => return set.bounds(),
            DataSource::Digits(_) => ((0.0, 1.0), (0.0, 1.0)),
            DataSource::Mixture(m) => {
                let empty = (f64::INFINITY, f64::NEG_INFINITY);
                m.components().fold((empty, empty), |(x, y), (_, mu, c)| {
                    let (rx, ry) = (4.0 * c[0].sqrt(), 4.0 * c[3].sqrt());
                    (
                        (x.0.min(mu[0] - rx), x.1.max(mu[0] + rx)),
                        (y.0.min(mu[1] - ry), y.1.max(mu[1] + ry)),
                    )
                })
            }
            DataSource::Points(points) => {
                let [x, y] = points.range();
                let margin = 0.1 * (x.1 - x.0).max(y.1 - y.0);
                ((x.0 - margin, x.1 + margin), (y.0 - margin, y.1 + margin))
            }
        };
        let half = 0.5 * (x.1 - x.0).max(y.1 - y.0);
        let (cx, cy) = (0.5 * (x.0 + x.1), 0.5 * (y.0 + y.1));
        Bounds {
            x_min: (cx - half) as f32,
            x_max: (cx + half) as f32,
            y_min: (cy - half) as f32,
            y_max: (cy + half) as f32,
        }
    }

    /// The map from the user's coordinates to the model's (see [`Standardisation`]): fitted to
    /// the exact moments of a mixture or of the user's points, to [`FIT_POINTS`] samples of a
    /// named set drawn with a fixed seed; the identity for images. Fails, saying why, for data
    /// without a 2-D spread that f32 can hold.
    pub fn standardisation(&self) -> Result<Standardisation, DataError> {
        match self {
            DataSource::Named(set) => {
                Standardisation::fit(&set.sample(FIT_POINTS, &mut seeded_rng(FIT_SEED)))
            }
            DataSource::Mixture(m) => Standardisation::of_mixture(m),
            DataSource::Points(points) => Standardisation::fit(points.points()),
            DataSource::Digits(_) => Ok(Standardisation::IDENTITY),
        }
    }

    /// [`DataSource::bounds`] in the model's coordinates (see [`DataSource::standardisation`]):
    /// where a family that needs a window of its own (the EBM's quadrature) works.
    pub fn model_window(&self) -> Result<Bounds, DataError> {
        Ok(self.standardisation()?.bounds_to_model(self.bounds()))
    }

    /// Checks that a custom source can be learned: a 2-D spread f32 can hold (see
    /// [`DataSource::standardisation`]) and, for a mixture, a density its own window's grid
    /// resolves (components far narrower than a cell of the window that holds them all vanish
    /// between the cell centres).
    fn check(&self) -> Result<(), DataError> {
        self.standardisation()?;
        if let DataSource::Mixture(m) = self {
            let mass = m.density_grid(self.bounds(), CHECK_RESOLUTION)?.mass();
            if (mass - 1.0).abs() > 0.1 {
                return Err(DataError::new(format!(
                    "the components are too narrow for the window that holds them all: a                      {CHECK_RESOLUTION}² grid over it sees a mass of {mass:.3} instead of 1;                      bring the means closer or widen the covariances"
                )));
            }
        }
        Ok(())
    }

    /// The exact mixture behind the source, where it is one.
    pub fn mixture(&self) -> Option<GaussianMixture> {
        match self {
            DataSource::Named(set) => set.mixture(),
            DataSource::Mixture(m) => Some(m.clone()),
            DataSource::Points(_) | DataSource::Digits(_) => None,
        }
    }

    /// How the reference density and score are known.
    pub fn reference(&self) -> Reference {
        match self {
            DataSource::Named(set) => set.reference(),
            DataSource::Mixture(_) => Reference {
                density: Exactness::Exact,
                score: Exactness::Exact,
                method: "analytic Gaussian mixture",
            },
            DataSource::Points(_) => Reference {
                density: Exactness::Numerical,
                score: Exactness::Unavailable,
                method: "Gaussian KDE of the points (Scott's rule): the points are the distribution",
            },
            DataSource::Digits(_) => Reference {
                density: Exactness::Unavailable,
                score: Exactness::Unavailable,
                method: "held-out images: compared by held-out likelihood, MMD and nearest \
                         training images",
            },
        }
    }

    /// The reference density on a grid, where the source defines one (not for raw points: their
    /// density is the evaluation's KDE of them).
    pub fn density_grid(
        &self,
        bounds: Bounds,
        resolution: usize,
    ) -> Option<Result<Grid, DataError>> {
        match self {
            DataSource::Named(set) => Some(set.density_grid(bounds, resolution)),
            DataSource::Mixture(m) => Some(m.density_grid(bounds, resolution)),
            DataSource::Points(_) | DataSource::Digits(_) => None,
        }
    }

    /// The user's points, for a source made of them.
    pub fn points(&self) -> Option<&EmpiricalSet> {
        match self {
            DataSource::Points(points) => Some(points),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::MAX_COMPONENTS;

    fn points(csv: &str) -> Result<DataSource, String> {
        DatasetSpec::Custom(CustomDataset::Points { csv: csv.into() })
            .build()
            .map_err(|e| e.to_string())
    }

    fn mixture(weights: Vec<f64>, means: Vec<[f64; 2]>) -> Result<DataSource, String> {
        let covariances = vec![[1.0, 0.0, 0.0, 1.0]; weights.len()];
        DatasetSpec::Custom(CustomDataset::Mixture {
            weights,
            means,
            covariances,
        })
        .build()
        .map_err(|e| e.to_string())
    }

    #[test]
    fn degenerate_custom_data_is_refused_at_build_with_the_reason() {
        assert!(points("1,2\n1,2\n1,2\n").unwrap_err().contains("identical"));
        assert!(points("0,0\n1,1\n2,2\n3,3\n").unwrap_err().contains("line"));
        assert!(
            points("3e38,-3e38\n-3e38,3e38\n3e38,3e38\n")
                .unwrap_err()
                .contains("overflows")
        );
        let corners = vec![[0.0, 0.0], [1e4, 0.0], [0.0, 1e4]];
        let far = mixture(vec![1.0; 3], corners).unwrap_err();
        assert!(far.contains("too narrow"), "{far}");
        let apart = mixture(vec![1.0, 1.0], vec![[0.0, 0.0], [1e6, -1e6]]).unwrap_err();
        assert!(apart.contains("line"), "a spread of 1 across 10⁶: {apart}");
        let heavy = mixture(vec![1e308, 1e308], vec![[0.0, 0.0], [1.0, 1.0]]).unwrap_err();
        assert!(heavy.contains("overflows"), "{heavy}");
        let many = MAX_COMPONENTS + 1;
        let means = (0..many).map(|k| [k as f64, 0.0]).collect();
        let large = mixture(vec![1.0; many], means).unwrap_err();
        assert!(large.contains("at most"), "{large}");
        assert!(points("0,0\n1,0\n0,1\n").is_ok());
        assert!(mixture(vec![1.0, 2.0], vec![[0.0, 0.0], [30.0, -40.0]]).is_ok());
    }

    #[test]
    fn the_window_is_a_square_that_fits_the_data_in_its_own_units() {
        // The data span x in [40, 100] and y in [-25, -5] (user units, far from the origin).
        let source = points("40,-25\n100,-5\n70,-10\n").unwrap();
        let b = source.bounds();
        assert!(
            (b.x_max - b.x_min - (b.y_max - b.y_min)).abs() < 1e-3,
            "{b:?}"
        );
        assert!(
            (b.x_max - b.x_min - 72.0).abs() < 1e-3,
            "60 plus 2 × 10 % margins: {b:?}"
        );
        assert!((0.5 * (b.x_min + b.x_max) - 70.0).abs() < 1e-3, "{b:?}");
        assert!((0.5 * (b.y_min + b.y_max) + 15.0).abs() < 1e-3, "{b:?}");
        let m = mixture(vec![1.0, 1.0], vec![[40.0, -25.0], [50.0, -25.0]]).unwrap();
        let b = m.bounds();
        assert_eq!((b.x_min, b.x_max), (36.0, 54.0), "means ± 4σ");
        assert_eq!((b.y_min, b.y_max), (-34.0, -16.0), "centred on the data");
    }
}
