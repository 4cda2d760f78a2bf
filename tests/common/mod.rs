//! Helpers shared by the native end-to-end tests (on the `flex` CPU backend).
#![allow(dead_code)]

use burn::tensor::Device;
use genlab::family::Family;
use genlab::metrics::Estimate;
use genlab::options::LabOptions;
use genlab::session::Session;

/// A session of family `F` from JSON options.
pub fn session<F: Family>(options: serde_json::Value) -> Session<F> {
    let options = LabOptions::<F::Config>::parse(&options).expect("valid options");
    Session::new(options, &Device::flex()).expect("valid data")
}

/// Trains `steps` steps and returns each statistic's mean over them, by name.
pub fn train<F: Family>(session: &mut Session<F>, steps: u32) -> Vec<(&'static str, f64)> {
    let report = pollster::block_on(session.train(steps).read()).expect("readable stats");
    session.accept(&report).expect("finite stats");
    report.values
}

/// Runs the family's action `name` once and returns its statistics, by name.
pub fn act<F: Family>(session: &mut Session<F>, name: &str) -> Vec<(&'static str, f64)> {
    let pending = session
        .act(name)
        .unwrap_or_else(|| panic!("no action {name}"));
    let report = pollster::block_on(pending.read()).expect("readable stats");
    session.accept(&report).expect("finite stats");
    report.values
}

/// The mean of statistic `name` over `steps` steps.
pub fn stat<F: Family>(session: &mut Session<F>, steps: u32, name: &str) -> f64 {
    let values = train(session, steps);
    values
        .iter()
        .find(|(n, _)| *n == name)
        .unwrap_or_else(|| panic!("no {name} in {values:?}"))
        .1
}

/// The divergence panel against `n` model samples.
pub fn panel<F: Family>(session: &mut Session<F>, n: usize) -> Vec<Estimate> {
    let probed = pollster::block_on(session.probe(n).read()).expect("readable probes");
    match session.evaluate(&probed) {
        Ok(evaluation) => evaluation.divergences,
        Err(error) => panic!("no panel: {error}"),
    }
}

/// The estimate whose name starts with `prefix`.
pub fn find<'a>(panel: &'a [Estimate], prefix: &str) -> &'a Estimate {
    panel
        .iter()
        .find(|e| e.name.starts_with(prefix))
        .unwrap_or_else(|| panic!("no {prefix} in the panel"))
}

/// A view's values, read back, with its shape.
pub fn view<F: Family>(
    session: &Session<F>,
    name: &str,
    points: &[f32],
    parameter: f32,
) -> (Vec<f32>, [usize; 2]) {
    let tensor = session.view(name, points, parameter).expect("a known view");
    let dims = tensor.dims();
    (tensor.into_data().try_into_vec_as::<f32>().unwrap(), dims)
}

/// Prints a panel before and after training, for the bounds' comments.
pub fn report(before: &[Estimate], after: &[Estimate]) {
    for (b, a) in before.iter().zip(after) {
        eprintln!(
            "{}: {:.4} → {:.4} (floor {:?})",
            a.name, b.value, a.value, a.noise_floor
        );
    }
}
