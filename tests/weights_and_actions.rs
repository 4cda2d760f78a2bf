//! Weights files (export → import reproduces a model; bad files are rejected and change
//! nothing) and the families' fine-grained steps (a discriminator step moves only D, a
//! Langevin step moves only the chains).

#![cfg(not(target_arch = "wasm32"))]

mod common;

use genlab::family::{Family, FamilyConfig, FamilyInput};
use genlab::models::{ebm::Ebm, gan::Gan, vae::Vae};
use genlab::session::{Session, WeightsFile, parameter_shapes};
use serde_json::json;

fn small(seed: u64) -> serde_json::Value {
    json!({"dataset": "eight_gaussians", "seed": seed, "width": 16, "depth": 2, "batch_size": 64})
}

/// Small options of family `F` with `seed`: PixelCNN learns the digits, the others 2-D points.
/// Small options for any family: its smallest useful network, on the digits if it learns only
/// images.
fn small_for<F: Family>(seed: u64) -> serde_json::Value {
    let mut options = if F::INPUT == FamilyInput::Images {
        json!({"dataset": "digits", "seed": seed, "batch_size": 16})
    } else {
        json!({"dataset": "eight_gaussians", "seed": seed, "batch_size": 64})
    };
    for setting in F::Config::settings() {
        let small = match setting.name {
            "width" => 16,
            "depth" => 2,
            "channels" => 4,
            "layers" if F::INPUT == FamilyInput::Images => 1,
            _ => continue,
        };
        options[setting.name] = json!(small);
    }
    options
}

fn weights<F: Family>(session: &Session<F>) -> WeightsFile {
    pollster::block_on(session.export_weights().read()).expect("readable weights")
}

fn samples<F: Family>(session: &Session<F>) -> Vec<f32> {
    session
        .sample(64)
        .into_data()
        .try_into_vec_as::<f32>()
        .unwrap()
}

/// Trains a model, saves it, loads the file into a fresh lab with another seed, and checks the
/// parameters and (for families whose samples depend on weights and noise only) the samples.
fn round_trip<F: Family>(compare_samples: bool) {
    let mut trained = common::session::<F>(small_for::<F>(1));
    common::train(&mut trained, 5);
    let file = weights(&trained);
    assert_eq!(file.header.family, F::NAME);
    assert_eq!(file.header.step, 5);
    let decoded = WeightsFile::decode(&file.encode()).expect("its own file decodes");
    assert_eq!(decoded, file);

    let mut fresh = common::session::<F>(small_for::<F>(2));
    assert_ne!(
        weights(&fresh).values,
        file.values,
        "{}: seeds differ",
        F::NAME
    );
    fresh.import_weights(&decoded).expect("same shapes load");
    assert_eq!(fresh.step(), 5);
    assert_eq!(weights(&fresh).values, file.values, "{}", F::NAME);
    if compare_samples {
        let mut same_seed = common::session::<F>(small_for::<F>(1));
        same_seed.import_weights(&decoded).unwrap();
        assert_eq!(samples(&same_seed), samples(&trained), "{}", F::NAME);
    }
}

/// Round-trips every family's weights ([`genlab::for_each_family!`]'s list).
macro_rules! round_trip_every_family {
    ($($(#[$doc:meta])* $class:ident => $family:ty, $options:literal;)*) => {
        // The EBM's samples continue its persistent chains, which are state, not weights.
        $(round_trip::<$family>(<$family as Family>::NAME != Ebm::NAME);)*
    };
}

#[test]
fn saved_weights_reproduce_every_family() {
    genlab::for_each_family!(round_trip_every_family);
}

#[test]
fn bad_weights_files_are_rejected_with_a_reason_and_change_nothing() {
    let vae = common::session::<Vae>(small(1));
    let file = weights(&vae);
    let bytes = file.encode();
    let reject = |bytes: &[u8], needle: &str| {
        let error = WeightsFile::decode(bytes).expect_err(needle);
        assert!(error.contains(needle), "{error}");
    };
    reject(b"PK\x03\x04 a zip", "not a GenLab weights file");
    reject(&bytes[..bytes.len() - 4], "bytes of them");
    let mut huge_header = bytes.clone();
    huge_header[8..12].copy_from_slice(&u32::MAX.to_le_bytes());
    reject(&huge_header, "header length");
    let mut not_json = bytes.clone();
    not_json[12] = b'!';
    reject(&not_json, "header is not valid");
    let mut nan = bytes.clone();
    let last = nan.len() - 4;
    nan[last..].copy_from_slice(&f32::NAN.to_le_bytes());
    reject(&nan, "not finite");

    let mut gan = common::session::<Gan>(small(1));
    let before = weights(&gan).values;
    let error = gan.import_weights(&file).unwrap_err();
    assert!(error.contains("vae model, not gan"), "{error}");
    let mut wider = common::session::<Vae>(json!({"dataset": "eight_gaussians", "width": 32}));
    let error = wider.import_weights(&file).unwrap_err();
    assert!(error.contains("shapes"), "{error}");
    assert_eq!(
        weights(&gan).values,
        before,
        "a rejected file changes nothing"
    );

    // Weights trained on other data (another standardisation), or written before there was
    // one, would draw samples in the wrong place: refused, naming both maps.
    let mut moons = common::session::<Vae>(json!({"dataset": "moons", "seed": 1, "width": 16,
        "depth": 2, "batch_size": 64}));
    let before = weights(&moons).values;
    let error = moons.import_weights(&file).unwrap_err();
    assert!(error.contains("trained on data centred at"), "{error}");
    let mut unmapped = file.clone();
    unmapped.header.standardisation = None;
    let mut same = common::session::<Vae>(small(2));
    assert!(same.import_weights(&unmapped).is_err());
    assert_eq!(weights(&moons).values, before);
    same.import_weights(&file)
        .expect("the same data, the same map");
}

#[test]
fn a_discriminator_step_moves_only_d_and_a_generator_step_only_g() {
    let mut gan = common::session::<Gan>(small(3));
    let names: Vec<&str> = gan.actions().iter().map(|a| a.name).collect();
    assert_eq!(names, ["discriminator_step", "generator_step"]);
    // Visiting order: the generator's parameters, then the discriminator's.
    let generator_shapes = parameter_shapes(gan.family()).len() / 2;
    let split = parameter_shapes(gan.family())[..generator_shapes]
        .iter()
        .map(|s| s.iter().product::<usize>())
        .sum::<usize>();
    let step = |gan: &mut Session<Gan>, name: &str| {
        let before = weights(gan).values;
        let report = pollster::block_on(gan.act(name).expect("known").read()).unwrap();
        gan.accept(&report).unwrap();
        let after = weights(gan).values;
        (before, after, report)
    };
    let (before, after, report) = step(&mut gan, "discriminator_step");
    assert_eq!(before[..split], after[..split], "D step leaves G");
    assert_ne!(before[split..], after[split..], "D step moves D");
    assert!(report.values.iter().any(|(n, _)| *n == "d_loss"));
    assert_eq!(gan.step(), 1);
    let (before, after, _) = step(&mut gan, "generator_step");
    assert_ne!(before[..split], after[..split], "G step moves G");
    assert_eq!(before[split..], after[split..], "G step leaves D");
    assert_eq!(gan.step(), 2);
    assert!(gan.act("no_such_step").is_none());
}

#[test]
fn a_langevin_step_moves_the_chains_and_not_the_weights() {
    let mut ebm = common::session::<Ebm>(small(4));
    let (chains, _) = common::view(&ebm, "chains", &[], 0.0);
    let before = weights(&ebm).values;
    for _ in 0..2 {
        let report = pollster::block_on(ebm.act("langevin_step").unwrap().read()).unwrap();
        ebm.accept(&report).unwrap();
    }
    let (moved, _) = common::view(&ebm, "chains", &[], 0.0);
    assert_ne!(chains, moved);
    assert_eq!(weights(&ebm).values, before);
    assert_eq!(ebm.step(), 0, "moving the chains is not a training step");
    // Two Langevin steps are two different noise draws: one step more moves them again.
    let report = pollster::block_on(ebm.act("langevin_step").unwrap().read()).unwrap();
    ebm.accept(&report).unwrap();
    assert_ne!(common::view(&ebm, "chains", &[], 0.0).0, moved);
}
