//! Property tests of every parser that reads untrusted input (options from JavaScript, URLs and
//! notebooks; custom datasets; CSV points; weights files): tens of thousands of random and
//! mutated inputs from a seeded generator, none of which may panic. Each rejection must name a
//! field; each acceptance must round-trip through `to_json`. The counts are printed.

#![cfg(not(target_arch = "wasm32"))]

use genlab::data::{DatasetSpec, SeededRng, parse_points_csv, seeded_rng};
use genlab::family::Family;
use genlab::models::vae::Vae;
use genlab::options::LabOptions;
use genlab::session::{WeightsFile, WeightsHeader};
use rand::RngExt;
use serde_json::{Map, Value, json};

/// Field names the parsers know, plus a few they do not.
const KEYS: &[&str] = &[
    "dataset",
    "seed",
    "batch_size",
    "learning_rate",
    "width",
    "depth",
    "solver",
    "sample_steps",
    "coupling",
    "latent_dim",
    "beta",
    "iwae_samples",
    "loss",
    "d_steps",
    "components",
    "layers",
    "langevin_steps",
    "step_size",
    "noise",
    "energy_penalty",
    "sigma_max",
    "sigma_min",
    "levels",
    "steps_per_level",
    "diffusion_steps",
    "schedule",
    "beta_start",
    "beta_end",
    "sampler",
    "ddim_steps",
    "eta",
    "sde",
    "beta_min",
    "beta_max",
    "likelihood_steps",
    "channels",
    "kind",
    "weights",
    "means",
    "covariances",
    "csv",
    "__proto__",
    "constructor",
    "",
    "ÿ",
];

/// Strings the parsers meet in the wild: enum values, numbers as text, markup, huge text.
const STRINGS: &[&str] = &[
    "moons",
    "digits",
    "eight_gaussians",
    "mixture",
    "points",
    "rk4",
    "ddim",
    "ve",
    "hinge",
    "wgan_gp",
    "minimax",
    "cosine",
    "NaN",
    "Infinity",
    "-0",
    "1e999",
    "<script>alert(1)</script>",
    "javascript:alert(1)",
    "0,0\n1,1\n2,2",
    "x,y\n1,2",
    "\u{0}",
    "🙂",
    "",
];

fn number(rng: &mut SeededRng) -> Value {
    match rng.random_range(0..8) {
        0 => json!(rng.random_range(-3i64..3)),
        1 => json!(rng.random_range(0u64..100_000)),
        2 => json!(i64::MIN),
        3 => json!(u64::MAX),
        4 => json!(f64::MAX),
        5 => json!(-1e-300),
        6 => json!(rng.random::<f64>() * 10f64.powi(rng.random_range(-12..12))),
        _ => json!(1u64 << 53),
    }
}

/// A random JSON value, nested up to `depth`.
fn value(rng: &mut SeededRng, depth: usize) -> Value {
    match rng.random_range(0..if depth == 0 { 5 } else { 7 }) {
        0 => Value::Null,
        1 => Value::Bool(rng.random()),
        2 | 3 => number(rng),
        4 => json!(STRINGS[rng.random_range(0..STRINGS.len())]),
        5 => Value::Array(
            (0..rng.random_range(0..4))
                .map(|_| value(rng, depth - 1))
                .collect(),
        ),
        _ => object(rng, depth - 1),
    }
}

fn object(rng: &mut SeededRng, depth: usize) -> Value {
    let map: Map<String, Value> = (0..rng.random_range(0..5))
        .map(|_| {
            let key = KEYS[rng.random_range(0..KEYS.len())].to_string();
            (key, value(rng, depth))
        })
        .collect();
    Value::Object(map)
}

/// An options object that is valid except, often, for one or two mutated fields.
fn mutated_options(rng: &mut SeededRng, valid: &Value) -> Value {
    let mut map = valid.as_object().cloned().unwrap_or_default();
    for _ in 0..rng.random_range(1..3) {
        let key = KEYS[rng.random_range(0..KEYS.len())].to_string();
        map.insert(key, value(rng, 3));
    }
    Value::Object(map)
}

/// Parses `inputs` random options for family `F`; returns (tried, accepted).
fn fuzz_options<F: Family>(rng: &mut SeededRng, inputs: usize) -> (usize, usize) {
    let valid = LabOptions::<F::Config>::defaults().to_json();
    let mut accepted = 0;
    for k in 0..inputs {
        let input = match k % 3 {
            0 => value(rng, 6),
            1 => object(rng, 4),
            _ => mutated_options(rng, &valid),
        };
        match LabOptions::<F::Config>::parse(&input) {
            Ok(options) => {
                accepted += 1;
                let again = LabOptions::<F::Config>::parse(&options.to_json())
                    .unwrap_or_else(|e| panic!("{} options do not round-trip: {e}", F::NAME));
                assert_eq!(again.to_json(), options.to_json(), "{input}");
            }
            Err(error) => {
                // The field named is a known option or a key of the input (an unknown field,
                // which may be any string, even empty); the message says what is wrong.
                let known = valid
                    .as_object()
                    .is_some_and(|m| m.contains_key(&error.field));
                let given = input
                    .as_object()
                    .is_some_and(|m| m.contains_key(&error.field));
                assert!(
                    known || given || error.field == "options",
                    "{input}: names `{}`",
                    error.field
                );
                assert!(!error.message.is_empty(), "{input}: no message");
            }
        }
    }
    (inputs, accepted)
}

#[test]
fn random_options_never_panic_and_every_rejection_names_its_field() {
    let mut rng = seeded_rng(1);
    let per_family = 2_000;
    // Fuzzes every family's options (the list of `genlab::for_each_family!`).
    macro_rules! fuzz_every_family {
        ($($(#[$doc:meta])* $class:ident => $family:ty, $options:literal;)*) => {
            [$((<$family as Family>::NAME, fuzz_options::<$family>(&mut rng, per_family))),*]
        };
    }
    let results = genlab::for_each_family!(fuzz_every_family);
    let tried: usize = results.iter().map(|(_, (t, _))| t).sum();
    let accepted: usize = results.iter().map(|(_, (_, a))| a).sum();
    eprintln!("options: {tried} inputs tried, {accepted} accepted, none panicked");
    assert!(
        accepted > 0,
        "the generator never produced a valid input: it tests only rejection"
    );
}

#[test]
fn random_datasets_and_csv_never_panic() {
    let mut rng = seeded_rng(2);
    let inputs = 5_000;
    let mut built = 0;
    for k in 0..inputs {
        let input = if k % 2 == 0 {
            json!({"kind": if k % 4 == 0 { "mixture" } else { "points" },
                   "weights": value(&mut rng, 2), "means": value(&mut rng, 3),
                   "covariances": value(&mut rng, 3), "csv": value(&mut rng, 1)})
        } else {
            value(&mut rng, 4)
        };
        if let Ok(spec) = serde_json::from_value::<DatasetSpec>(input) {
            built += usize::from(spec.build().is_ok());
        }
    }
    let mut csv_ok = 0;
    for _ in 0..inputs {
        let lines: Vec<String> = (0..rng.random_range(0..20))
            .map(|_| {
                let cell = |rng: &mut SeededRng| match rng.random_range(0..5) {
                    0 => format!("{}", rng.random::<f32>() * 100.0 - 50.0),
                    1 => STRINGS[rng.random_range(0..STRINGS.len())].to_string(),
                    2 => "1e40".to_string(),
                    3 => String::new(),
                    _ => format!("{}", rng.random_range(-5i32..5)),
                };
                let cells: Vec<String> = (0..rng.random_range(1..4))
                    .map(|_| cell(&mut rng))
                    .collect();
                cells.join(if rng.random() { "," } else { ";" })
            })
            .collect();
        csv_ok += usize::from(parse_points_csv(&lines.join("\n")).is_ok());
    }
    eprintln!(
        "datasets: {inputs} inputs tried ({built} built); CSV: {inputs} inputs tried \
         ({csv_ok} parsed), none panicked"
    );
    assert!(csv_ok > 0);
}

#[test]
fn random_and_mutated_weights_files_never_panic() {
    let mut rng = seeded_rng(3);
    let valid = WeightsFile {
        header: WeightsHeader {
            family: "vae".into(),
            options: LabOptions::<<Vae as Family>::Config>::defaults().to_json(),
            step: 7,
            shapes: vec![vec![2, 3], vec![3]],
            standardisation: None,
        },
        values: (0..9).map(|v| v as f32).collect(),
    }
    .encode();
    assert!(WeightsFile::decode(&valid).is_ok());
    let inputs = 20_000;
    let mut decoded = 0;
    for k in 0..inputs {
        let mut bytes = if k % 4 == 0 {
            (0..rng.random_range(0..64)).map(|_| rng.random()).collect()
        } else {
            valid.clone()
        };
        for _ in 0..rng.random_range(0..4) {
            if bytes.is_empty() {
                break;
            }
            let at = rng.random_range(0..bytes.len());
            match rng.random_range(0..3) {
                0 => bytes[at] = rng.random(),
                1 => bytes.truncate(at),
                _ => bytes.insert(at, rng.random()),
            }
        }
        decoded += usize::from(WeightsFile::decode(&bytes).is_ok());
    }
    eprintln!("weights files: {inputs} inputs tried ({decoded} decoded), none panicked");
}
