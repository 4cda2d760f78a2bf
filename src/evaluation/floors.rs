//! The panel's sample-based rows and their noise floors: the same estimators between two
//! independent data samples of the model's sample size, drawn [`FLOOR_DRAWS`] times with a fixed
//! seed, once per dataset and size (cached), and summarised as a distribution.
//!
//! The smoothed grid rows' bandwidth and the MMD²'s kernel widths are chosen from the first
//! draw and kept: the model's rows and their floors use one estimator.

use std::cell::RefCell;
use std::rc::Rc;

use super::{
    GRID_RESOLUTION, ReferenceGrid, SINKHORN_EPSILON, SINKHORN_POINTS, SINKHORN_WINDOW_SIDE,
    SLICED_W2_PROJECTIONS, estimate, grid_estimates,
};
use crate::data::{DataSource, seeded_rng};
use crate::metrics::{
    BANDWIDTH_MULTIPLES, Bandwidth, CROSS_VALIDATION_POINTS, Estimate, FLOOR_DRAWS, MetricError,
    MmdAgainst, NoiseFloor, RowName, SINKHORN_MAX_ITERATIONS, SINKHORN_TOLERANCE,
    cross_validated_bandwidth, median_distance, sinkhorn_divergence, sliced_w2,
};

/// Seed of the data draws behind every noise floor (so a dataset's floors are the same for
/// every lab and every caller).
pub const FLOOR_SEED: u64 = 0x00f1_0025;
/// Datasets × sizes whose floors are kept.
const CACHED_FLOORS: usize = 8;

/// The grid rows from a KDE of the model samples, both sides smoothed by one kernel.
pub const SMOOTHED_ROWS: [RowName; 4] = [
    RowName::new("kl_smoothed", "KL(data‖model), smoothed"),
    RowName::new("reverse_kl_smoothed", "KL(model‖data), smoothed"),
    RowName::new("js_smoothed", "JS(data, model), smoothed"),
    RowName::new("tv_smoothed", "TV(data, model), smoothed"),
];
/// Sliced W2 between the samples.
pub const SLICED_W2: RowName = RowName::new("sliced_w2", "sliced W2(data, model)");
/// The debiased Sinkhorn divergence between the samples.
pub const SINKHORN: RowName = RowName::new("sinkhorn", "Sinkhorn(data, model)");
/// MMD² between the samples.
pub const MMD2: RowName = RowName::new("mmd2", "MMD²(data, model)");

/// What the sample-based rows share with their floors: the smoothed grid's bandwidth and the
/// data's median distance (the MMD²'s kernel scale), both from the first floor draw.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SampleScales {
    /// The KDE kernel of the smoothed grid rows.
    pub bandwidth: Bandwidth,
    /// The median distance between two data samples.
    pub median: f64,
}

/// The noise floors of the sample-based rows for one dataset and sample size.
#[derive(Debug)]
pub struct NoiseFloors {
    /// The scales every sample-based row uses.
    pub scales: SampleScales,
    /// The sample size (model and data) the floors are for.
    pub points: usize,
    floors: Vec<(&'static str, NoiseFloor)>,
}

/// The key of a cached floor: the source's name, the size and the first points of its floor
/// draws (two sources with the same name, e.g. two pasted sets of one size, differ there).
type FloorKey = (String, usize, Vec<u32>);

thread_local! {
    static CACHE: RefCell<Vec<(FloorKey, Rc<NoiseFloors>)>> = const { RefCell::new(Vec::new()) };
}

impl NoiseFloors {
    /// The floors of `source` at `n` points per side, measured on first use and cached.
    pub fn cached(
        source: &DataSource,
        reference: &ReferenceGrid,
        n: usize,
    ) -> Result<Rc<Self>, MetricError> {
        let probe = source.sample(4, &mut seeded_rng(FLOOR_SEED));
        let key = (
            source.name(),
            n,
            probe.iter().map(|v| v.to_bits()).collect(),
        );
        if let Some(found) = CACHE.with_borrow(|cache| {
            cache
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, f)| f.clone())
        }) {
            return Ok(found);
        }
        let floors = Rc::new(Self::measure(source, reference, n)?);
        CACHE.with_borrow_mut(|cache| {
            if cache.len() == CACHED_FLOORS {
                cache.remove(0);
            }
            cache.push((key, floors.clone()));
        });
        Ok(floors)
    }

    /// [`FLOOR_DRAWS`] pairs of independent data samples of `n` points, each pair through
    /// [`sample_rows`]; the scales from the first pair.
    pub fn measure(
        source: &DataSource,
        reference: &ReferenceGrid,
        n: usize,
    ) -> Result<Self, MetricError> {
        let mut rng = seeded_rng(FLOOR_SEED);
        let mut scales = None;
        let mut values: Vec<(&'static str, Vec<f64>)> = Vec::new();
        for _ in 0..FLOOR_DRAWS {
            let (a, b) = (source.sample(n, &mut rng), source.sample(n, &mut rng));
            let scales = match scales {
                Some(scales) => scales,
                None => *scales.insert(SampleScales {
                    bandwidth: cross_validated_bandwidth(&a, reference.cell_size())?,
                    median: median_distance(&a, &b)?,
                }),
            };
            let rows = sample_rows(reference, &scales, &a, &b)?;
            if values.is_empty() {
                values = rows.iter().map(|e| (e.id, Vec::new())).collect();
            }
            for ((_, draws), e) in values.iter_mut().zip(&rows) {
                draws.push(e.value);
            }
        }
        let floors = values
            .iter()
            .map(|(name, draws)| Ok((*name, NoiseFloor::from_draws(draws)?)))
            .collect::<Result<_, MetricError>>()?;
        Ok(Self {
            scales: scales.ok_or_else(|| MetricError::new("no floor draws"))?,
            points: n,
            floors,
        })
    }

    /// The floor of the row with id `id`.
    pub fn floor(&self, id: &str) -> Option<NoiseFloor> {
        self.floors
            .iter()
            .find(|(row, _)| *row == id)
            .map(|(_, f)| *f)
    }
}

/// The sample-based rows between data samples and model samples (row-major `[n, 2]` each, the
/// same `n`), without floors: KL / reverse KL / JS / TV between the reference and a KDE of the
/// model samples both smoothed by `scales.bandwidth`, sliced W2, Sinkhorn on the first
/// [`SINKHORN_POINTS`] of each, and MMD² at multiples of `scales.median`.
pub fn sample_rows(
    reference: &ReferenceGrid,
    scales: &SampleScales,
    data: &[f32],
    model: &[f32],
) -> Result<Vec<Estimate>, MetricError> {
    let n = model.len() / 2;
    let Bandwidth { h, scott_multiple } = scales.bandwidth;
    let p = reference.smoothed_masses(h)?;
    let q = reference.kde_masses(model, h)?;
    let mut rows = grid_estimates(&p, &q, SMOOTHED_ROWS, |what| {
        format!(
            "{what} on a {GRID_RESOLUTION}×{GRID_RESOLUTION} grid between the data's reference \
             density and a Gaussian KDE of the model samples, both smoothed by one kernel: \
             h = ({:.3}, {:.3}), {scott_multiple:.3} × Scott's rule, chosen by leave-one-out \
             likelihood on {} data samples; one more cell holds the mass outside the window; \
             both mixed with uniform at 1e-4. It measures the two distributions each blurred \
             by N(0, h²), which is at most the divergence between them",
            h[0],
            h[1],
            n.min(CROSS_VALIDATION_POINTS)
        )
    })?;
    rows.push(estimate(
        SLICED_W2,
        sliced_w2(data, model, SLICED_W2_PROJECTIONS),
        "data units",
        "symmetric",
        format!(
            "exact 1-D W2 of the empirical projections on {SLICED_W2_PROJECTIONS} evenly \
             spaced angles"
        ),
    ));
    let k = SINKHORN_POINTS.min(n) * 2;
    let epsilon = reference.sinkhorn_epsilon();
    let sinkhorn = sinkhorn_divergence(&data[..k], &model[..k], epsilon)?;
    rows.push(estimate(
        SINKHORN,
        sinkhorn.value,
        "data units²",
        "symmetric",
        format!(
            "debiased log-domain Sinkhorn divergence, cost ‖x − y‖², ε = {epsilon:.4} \
             ({SINKHORN_EPSILON} × (window side / {SINKHORN_WINDOW_SIDE})²), on {} points per \
             side; over-relaxed alternating updates after ε-scaling, stopped when \
             the plans' marginals are within {SINKHORN_TOLERANCE:e} (L1) of uniform or after \
             {SINKHORN_MAX_ITERATIONS} iterations: {} iterations, marginal error {:.1e}",
            k / 2,
            sinkhorn.iterations,
            sinkhorn.marginal_error
        ),
    ));
    let median = scales.median;
    let bandwidths: Vec<f64> = BANDWIDTH_MULTIPLES.iter().map(|m| m * median).collect();
    rows.push(estimate(
        MMD2,
        MmdAgainst::new(data, &bandwidths)?.mmd2(model)?,
        "kernel units",
        "symmetric",
        format!(
            "unbiased MMD², sum of RBF kernels with bandwidths {BANDWIDTH_MULTIPLES:?} × the \
             data's median distance ({median:.3})"
        ),
    ));
    for e in &mut rows {
        e.model_samples = n;
        e.data_samples = n;
    }
    Ok(rows)
}
