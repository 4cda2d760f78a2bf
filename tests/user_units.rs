//! Data in the user's own units: every 2-D family trains on standardised coordinates, so a
//! family trained on a mixture and one trained, with the same seed, on the same mixture ×15 and
//! shifted by (40, −25) are the same model, and everything the session shows of the second is
//! the first's mapped by `x ↦ 15·x + (40, −25)`: samples, views, their exact truths,
//! log-densities (less 2·log 15) and every estimate on the panel (distances ×15, the Fisher
//! divergence ÷15², the rest unchanged).
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::{panel, session, train, view};
use genlab::evaluation::cell_centres;
use genlab::family::Family;
use genlab::metrics::Estimate;
use genlab::models::ebm::Ebm;
use genlab::models::flow_matching::FlowMatching;
use genlab::models::made::Made;
use genlab::models::ncsn::Ncsn;
use genlab::models::real_nvp::RealNvp;
use genlab::session::Session;
use serde_json::{Value, json};

const SCALE: f64 = 15.0;
const SHIFT: [f64; 2] = [40.0, -25.0];

/// An anisotropic, correlated three-component mixture, mapped by `x ↦ scale·x + shift`.
fn mixture(scale: f64, shift: [f64; 2]) -> Value {
    let means = [[-1.5, 0.5], [1.0, 1.5], [0.5, -1.5]];
    let covariances = [
        [0.30, 0.12, 0.12, 0.10],
        [0.08, -0.05, -0.05, 0.20],
        [0.25, 0.0, 0.0, 0.05],
    ];
    json!({
        "kind": "mixture",
        "weights": [0.5, 0.3, 0.2],
        "means": means.map(|m| [scale * m[0] + shift[0], scale * m[1] + shift[1]]),
        "covariances": covariances.map(|c| c.map(|v| scale * scale * v)),
    })
}

/// The same family, same seed and settings, on the mixture and on its off-scale copy.
fn pair<F: Family>(settings: Value, steps: u32) -> (Session<F>, Session<F>) {
    let with = |dataset: Value| {
        let mut options = settings.clone();
        options["dataset"] = dataset;
        options["seed"] = json!(5);
        let mut s = session::<F>(options);
        train(&mut s, steps);
        s
    };
    (with(mixture(1.0, [0.0, 0.0])), with(mixture(SCALE, SHIFT)))
}

fn to_user(points: &[f32]) -> Vec<f32> {
    points
        .chunks_exact(2)
        .flat_map(|p| {
            [
                (SCALE * p[0] as f64 + SHIFT[0]) as f32,
                (SCALE * p[1] as f64 + SHIFT[1]) as f32,
            ]
        })
        .collect()
}

/// The largest |a − factor·b − offset| over the values, relative to the largest |a|.
fn mismatch(a: &[f32], b: &[f32], factor: f64, offset: f64) -> f64 {
    assert_eq!(a.len(), b.len());
    let largest = a.iter().fold(0.0_f64, |m, v| m.max((*v as f64).abs()));
    let worst = a.iter().zip(b).fold(0.0_f64, |m, (x, y)| {
        m.max((*x as f64 - factor * *y as f64 - offset).abs())
    });
    worst / largest.max(1e-12)
}

/// How an estimate changes under `x ↦ 15·x + shift`.
fn factor(estimate: &Estimate) -> f64 {
    if estimate.name.starts_with("Fisher") {
        1.0 / (SCALE * SCALE)
    } else if estimate.units == "data units²" {
        SCALE * SCALE
    } else if estimate.units == "data units" {
        SCALE
    } else {
        1.0
    }
}

/// Compares every estimate of the two panels (same names, in order), relative tolerance `tol`.
fn panels_agree<F: Family>(plain: &mut Session<F>, scaled: &mut Session<F>, tol: f64) {
    let (a, b) = (panel(plain, 1000), panel(scaled, 1000));
    assert_eq!(a.len(), b.len());
    for (a, b) in a.iter().zip(&b) {
        assert_eq!(a.name, b.name);
        let expected = factor(a) * a.value;
        eprintln!(
            "{}: {} vs {} (expected {expected})",
            a.name, a.value, b.value
        );
        assert!(
            (b.value - expected).abs() <= tol * expected.abs() + 1e-6,
            "{}: {} on the mixture, {} on the ×{SCALE} copy (expected {expected})",
            a.name,
            a.value,
            b.value
        );
        if let (Some(fa), Some(fb)) = (&a.noise_floor, &b.noise_floor) {
            let expected = factor(a) * fa.upper;
            assert!(
                (fb.upper - expected).abs() <= tol * expected.abs() + 1e-6,
                "{}",
                a.name
            );
        }
    }
}

fn samples<F: Family>(s: &Session<F>, n: usize) -> Vec<f32> {
    s.sample(n).into_data().try_into_vec_as::<f32>().unwrap()
}

#[test]
fn real_nvp_is_the_same_model_in_any_units() {
    let (mut plain, mut scaled) = pair::<RealNvp>(json!({"width": 32}), 150);
    let (a, b) = (samples(&plain, 256), samples(&scaled, 256));
    assert!(mismatch(&b, &to_user(&a), 1.0, 0.0) < 1e-3, "samples");
    let bounds = plain.source().bounds();
    let grid = cell_centres(bounds, 16);
    let (a, _) = view(&plain, "log_density", &grid, 0.0);
    let (b, _) = view(&scaled, "log_density", &to_user(&grid), 0.0);
    let log_det = 2.0 * SCALE.ln();
    assert!(
        mismatch(&b, &a, 1.0, -log_det) < 1e-3,
        "log-density less 2·log 15"
    );
    panels_agree(&mut plain, &mut scaled, 2e-3);
}

#[test]
fn made_conditionals_follow_the_user_x_coordinate() {
    let (mut plain, mut scaled) = pair::<Made>(json!({"width": 32}), 150);
    let line = |x1: f32| -> Vec<f32> {
        (0..32)
            .flat_map(|k| [x1, -3.0 + 6.0 * (k as f32 + 0.5) / 32.0])
            .collect()
    };
    let (a, _) = view(&plain, "conditional", &line(0.4), 0.4);
    let x1 = (SCALE * 0.4 + SHIFT[0]) as f32;
    let (b, _) = view(&scaled, "conditional", &to_user(&line(0.4)), x1);
    assert!(mismatch(&b, &a, 1.0 / SCALE, 0.0) < 1e-3, "p(x₂ | x₁) ÷ 15");
    let info = scaled
        .views()
        .into_iter()
        .find(|v| v.name == "conditional")
        .unwrap();
    let range = info.parameter.unwrap();
    assert!(
        range.min < x1 && x1 < range.max,
        "the slider spans the user's x: {range:?}"
    );
    panels_agree(&mut plain, &mut scaled, 2e-3);
}

#[test]
fn flow_matching_velocities_and_their_truth_are_in_user_units_per_unit_time() {
    let (mut plain, mut scaled) = pair::<FlowMatching>(json!({"width": 32}), 150);
    let grid = cell_centres(plain.source().bounds(), 8);
    let (a, _) = view(&plain, "velocity", &grid, 0.6);
    let (b, _) = view(&scaled, "velocity", &to_user(&grid), 0.6);
    assert!(mismatch(&b, &a, SCALE, 0.0) < 1e-3, "velocity ×15");
    let truth_a = plain.view_truth("velocity", &grid, 0.6, None).unwrap();
    let truth_b = scaled
        .view_truth("velocity", &to_user(&grid), 0.6, None)
        .unwrap();
    assert!(
        mismatch(&truth_b, &truth_a, SCALE, 0.0) < 1e-4,
        "exact velocity ×15"
    );
    panels_agree(&mut plain, &mut scaled, 2e-3);
}

#[test]
fn ncsn_scores_and_the_fisher_divergence_are_per_user_unit() {
    let (mut plain, mut scaled) = pair::<Ncsn>(json!({"width": 32}), 150);
    let grid = cell_centres(plain.source().bounds(), 8);
    let (a, _) = view(&plain, "score", &grid, 0.5);
    let (b, _) = view(&scaled, "score", &to_user(&grid), 0.5);
    assert!(mismatch(&b, &a, 1.0 / SCALE, 0.0) < 1e-3, "score ÷15");
    panels_agree(&mut plain, &mut scaled, 2e-3);
}

#[test]
fn the_ebm_window_and_density_follow_the_data() {
    let (mut plain, mut scaled) = pair::<Ebm>(json!({"width": 32}), 60);
    let grid = cell_centres(plain.source().bounds(), 16);
    let (a, _) = view(&plain, "log_density", &grid, 0.0);
    let (b, _) = view(&scaled, "log_density", &to_user(&grid), 0.0);
    assert!(mismatch(&b, &a, 1.0, -2.0 * SCALE.ln()) < 1e-3);
    panels_agree(&mut plain, &mut scaled, 2e-3);
}
