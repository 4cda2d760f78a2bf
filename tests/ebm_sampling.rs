//! The EBM's samples are draws from its own density: `sample()` is compared with exact draws
//! from the density its log-density view tabulates (an inverse CDF on the host, independent of
//! the family's sampler), at the noise floor of two such exact draws.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::{session, train, view};
use genlab::data::{Bounds, seeded_rng};
use genlab::evaluation::cell_centres;
use genlab::metrics::sliced_w2;
use genlab::models::ebm::Ebm;
use rand::RngExt;
use serde_json::json;

const SIDE: usize = 128;
const N: usize = 2000;

/// `n` exact draws from the density whose logs are tabulated at the cell centres of a
/// `SIDE²` grid over `bounds`: a cell by its mass, a point uniformly within it.
fn draws(log_density: &[f32], bounds: Bounds, n: usize, seed: u64) -> Vec<f32> {
    let max = log_density
        .iter()
        .copied()
        .fold(f32::NEG_INFINITY, f32::max);
    let mut cdf = Vec::with_capacity(log_density.len());
    let mut total = 0.0_f64;
    for l in log_density {
        total += ((l - max) as f64).exp();
        cdf.push(total);
    }
    let mut rng = seeded_rng(seed);
    let (dx, dy) = (
        (bounds.x_max - bounds.x_min) / SIDE as f32,
        (bounds.y_max - bounds.y_min) / SIDE as f32,
    );
    (0..n)
        .flat_map(|_| {
            let u = rng.random::<f64>() * total;
            let k = cdf.partition_point(|c| *c < u).min(cdf.len() - 1);
            let (i, j) = ((k % SIDE) as f32, (k / SIDE) as f32);
            [
                bounds.x_min + (i + rng.random::<f32>()) * dx,
                bounds.y_min + (j + rng.random::<f32>()) * dy,
            ]
        })
        .collect()
}

#[test]
fn samples_agree_with_the_density_and_the_short_run_chains_do_not() {
    let mut s = session::<Ebm>(json!({"dataset": "eight_gaussians", "width": 64,
        "batch_size": 128, "learning_rate": 3e-3, "langevin_steps": 10, "seed": 7}));
    train(&mut s, 600);
    let bounds = s.source().bounds();
    let (log_density, _) = view(&s, "log_density", &cell_centres(bounds, SIDE), 0.0);
    let exact = draws(&log_density, bounds, N, 1);
    let floors: Vec<f64> = (2..10)
        .map(|seed| sliced_w2(&exact, &draws(&log_density, bounds, N, seed), 64))
        .collect();
    let floor = floors.iter().copied().fold(0.0, f64::max);
    let samples: Vec<f32> = s.sample(N).into_data().try_into_vec_as::<f32>().unwrap();
    let sampled = sliced_w2(&exact, &samples, 64);
    let (chains, _) = view(&s, "chains", &[], 0.0);
    let chained = sliced_w2(&exact, &chains[..2 * N], 64);
    eprintln!(
        "sliced W2 to exact draws: samples {sampled:.4}, chains {chained:.4}, floor {floor:.4}"
    );
    assert!(sampled <= 1.5 * floor, "samples {sampled}, floor {floor}");
    assert!(
        chained > 3.0 * floor,
        "the chains lag: {chained}, floor {floor}"
    );
}
