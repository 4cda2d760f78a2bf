//! Native end-to-end checks of flow matching through the session, on the `flex` CPU backend.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::{find, panel, report, session as new_session, stat};
use genlab::data::{Dataset, DatasetSpec};
use genlab::models::flow_matching::FlowMatching;
use genlab::models::ode::OdeSolver;
use genlab::session::{EvaluationError, Session};
use serde_json::json;

fn session(options: serde_json::Value) -> Session<FlowMatching> {
    new_session(options)
}

fn mean_loss(session: &mut Session<FlowMatching>, steps: u32) -> f64 {
    stat(session, steps, "loss")
}

#[test]
fn loss_falls_and_samples_approach_eight_gaussians() {
    let mut session = session(json!({
        "dataset": "eight_gaussians", "batch_size": 256, "learning_rate": 3e-3,
        "solver": "midpoint", "sample_steps": 16, "seed": 1
    }));
    let before = panel(&mut session, 4000);
    let first = mean_loss(&mut session, 20);
    for _ in 0..98 {
        mean_loss(&mut session, 20);
    }
    let last = mean_loss(&mut session, 20);
    let after = panel(&mut session, 4000);
    assert_eq!(session.step(), 2000);
    // The regression target x₁ − x₀ has irreducible variance, so the loss cannot reach zero;
    // it must still fall clearly from its initial value.
    assert!(last < 0.8 * first, "loss {first} → {last}");
    // Every divergence of the panel must fall. Sliced W2 between two finite samples of one law
    // is not zero (mode proportions fluctuate), so its noise floor is the scale: untrained,
    // samples stay near N(0, I), far from the ring of radius 2.83; trained, they must be within
    // four mean floors (0.076 here, its 95 % bound 0.150: the modes' shares fluctuate; 2 000
    // steps reach ≈ 0.125, the untrained ≈ 1.1).
    assert_eq!(
        before.len(),
        8,
        "Fisher; KL, reverse KL, JS, TV smoothed; sliced W2, Sinkhorn, MMD²"
    );
    report(&before, &after);
    for (b, a) in before.iter().zip(&after) {
        assert!(
            a.value < b.value,
            "{} did not fall: {} → {}",
            a.name,
            b.value,
            a.value
        );
    }
    let (w2_before, w2_after) = (find(&before, "sliced W2"), find(&after, "sliced W2"));
    let floor = w2_after.noise_floor.unwrap().mean;
    assert!(w2_before.value > 10.0 * floor, "untrained: {w2_before:?}");
    assert!(w2_after.value < 4.0 * floor, "trained: {w2_after:?}");
    // The grid divergences of a trained model approach their floors (the KDE of a data sample).
    let tv = find(&after, "TV");
    assert!(
        tv.value < 2.0 * tv.noise_floor.unwrap().upper + 0.05,
        "{tv:?}"
    );
}

#[test]
fn the_same_seed_trains_the_same_model() {
    let options = json!({"dataset": "moons", "width": 32, "depth": 2, "batch_size": 64, "seed": 5});
    let mut a = session(options.clone());
    let mut b = session(options);
    assert_eq!(mean_loss(&mut a, 5), mean_loss(&mut b, 5));
}

#[test]
fn a_diverging_run_restores_the_last_finite_weights() {
    let mut session = session(json!({"width": 16, "depth": 1, "batch_size": 32}));
    let good = pollster::block_on(session.train(3).read()).unwrap();
    session.accept(&good).unwrap();
    let mut bad = pollster::block_on(session.train(2).read()).unwrap();
    bad.values[0].1 = f64::NAN;
    let fault = session.accept(&bad).unwrap_err();
    assert_eq!(
        (fault.what.as_str(), fault.step, fault.restored_step),
        ("loss", 5, 3)
    );
    assert_eq!(session.step(), 3);
    assert!(fault.to_string().contains("learning_rate"));
    let mut probed = pollster::block_on(session.probe(16).read()).unwrap();
    probed.samples[1] = f32::INFINITY;
    match session.evaluate(&probed).unwrap_err() {
        EvaluationError::Fault(fault) => assert_eq!(fault.what, "samples"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn solver_and_dataset_options_reach_the_session() {
    let session = session(json!({"dataset": "moons", "solver": "rk4", "sample_steps": 4}));
    assert_eq!(
        session.options().training.dataset,
        DatasetSpec::Named(Dataset::Moons)
    );
    assert_eq!(session.options().model.solver, OdeSolver::Rk4);
    assert_eq!(session.sample(10).dims(), [10, 2]);
}

#[test]
fn trains_on_the_users_points_and_on_a_custom_mixture() {
    // A user's points: no exact score, so the panel has no Fisher divergence; the reference
    // is the points' own KDE and the bounds come from the points.
    let csv: String = (0..60)
        .map(|i| format!("{},{}\n", (i % 6) as f32 * 0.5, (i / 6) as f32 * 0.3))
        .collect();
    let mut points =
        session(json!({"dataset": {"kind": "points", "csv": csv}, "width": 32, "batch_size": 64}));
    mean_loss(&mut points, 10);
    let names: Vec<&str> = panel(&mut points, 200).iter().map(|e| e.name).collect();
    assert_eq!(names.len(), 7, "{names:?}");
    assert!(!names.iter().any(|n| n.starts_with("Fisher")));
    let bounds = points.source().bounds();
    assert!(bounds.x_min < 0.0 && bounds.x_max > 2.5, "{bounds:?}");

    // A custom mixture has an exact score: the Fisher divergence is there.
    let mut mixture = session(json!({"dataset": {"kind": "mixture", "weights": [1, 1],
        "means": [[-1, 0], [1, 0]], "covariances": [[0.1, 0, 0, 0.1], [0.1, 0, 0, 0.1]]},
        "width": 32, "batch_size": 64}));
    mean_loss(&mut mixture, 10);
    let panel = panel(&mut mixture, 200);
    assert!(find(&panel, "Fisher").value.is_finite());
}
