//! Where training data comes from: one of the named reference sets, a Gaussian mixture given by
//! its parameters, or the user's own points.

use rand::Rng;
use serde::Serialize;

use super::digits::{self, DigitImages, ImageSet};
use super::{
    Bounds, DataError, Dataset, EmpiricalSet, Exactness, GaussianMixture, Grid, Reference,
    parse_points_csv,
};

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
    /// Builds (and so validates) the source.
    pub fn build(&self) -> Result<DataSource, DataError> {
        Ok(match self {
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
        })
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

    /// A square window holding the source's mass: `[−4.5, 4.5]²` for the named sets; the means
    /// ± 4 standard deviations for a mixture; the points' range with a 10 % margin; the unit
    /// square (the pixel range) for images.
    pub fn bounds(&self) -> Bounds {
        let (lo, hi) = match self {
            DataSource::Named(set) => return set.bounds(),
            DataSource::Digits(_) => (0.0, 1.0),
            DataSource::Mixture(m) => m.components().fold(
                (f64::INFINITY, f64::NEG_INFINITY),
                |(lo, hi), (_, mu, c)| {
                    let reach = 4.0 * c[0].max(c[3]).sqrt();
                    (
                        lo.min(mu[0].min(mu[1]) - reach),
                        hi.max(mu[0].max(mu[1]) + reach),
                    )
                },
            ),
            DataSource::Points(points) => {
                let (lo, hi) = points.range();
                let margin = 0.1 * (hi - lo).max(1e-3);
                (lo - margin, hi + margin)
            }
        };
        Bounds {
            x_min: lo as f32,
            x_max: hi as f32,
            y_min: lo as f32,
            y_max: hi as f32,
        }
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
