use super::*;
use crate::models::math::input_gradient;
use crate::session::device_rng;

/// A seeded untrained model of 4×4 images (the caller holds [`device_rng`]).
fn model(layers: usize) -> ImageGpt {
    let device = Device::flex();
    device.seed(7);
    let config = ImageGptConfig::new()
        .with_width(8)
        .with_heads(2)
        .with_layers(layers);
    ImageGpt::init(&config, &TrainingConfig::new(), 16, &device)
}

fn values<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    t.into_data().try_into_vec_as::<f32>().unwrap()
}

/// Grey levels `[rows, 16]` from whole numbers.
fn images(rows: &[[f32; 16]]) -> Tensor<2> {
    let flat: Vec<f32> = rows.iter().flatten().copied().collect();
    Tensor::<1>::from_floats(flat.as_slice(), &Device::flex()).reshape([rows.len(), 16])
}

#[test]
fn the_gradient_of_logit_i_vanishes_at_every_later_position() {
    let _rng = device_rng();
    let gpt = model(2);
    let net = &gpt.net.module;
    let v = images(&[std::array::from_fn(|i| ((i * 5) % 17) as f32)]);
    let embedded = net.embedded(v).without_autodiff(); // [1, 16, 8]
    let width = 8;
    let flat = embedded.reshape([1, 16 * width]);
    for i in [0usize, 3, 9, 15] {
        let grad = input_gradient(flat.clone(), |h| {
            let (logits, _) = net.from_embedded(h.reshape([1, 16, width]));
            logits.narrow(1, i, 1).reshape([1, LEVELS])
        });
        let grad = values(grad);
        for position in 0..16 {
            let size: f32 = grad[position * width..(position + 1) * width]
                .iter()
                .map(|g| g.abs())
                .sum();
            if position > i {
                // Position `position` holds pixel `position − 1 ≥ i`.
                assert_eq!(size, 0.0, "logit {i} depends on position {position}");
            } else {
                assert!(size > 0.0, "logit {i} ignores position {position}");
            }
        }
    }
}

#[test]
fn the_likelihood_sums_the_conditionals_and_an_untrained_model_is_near_uniform() {
    let _rng = device_rng();
    let gpt = model(2);
    let net = gpt.net.module.valid();
    let v = images(&[[3.0; 16], [16.0; 16]]);
    let log_p = values(log_likelihood(net.logits(v.clone()), v.clone()));
    let conditionals = values(burn::tensor::activation::log_softmax(net.logits(v), 2));
    for (row, level) in [(0usize, 3usize), (1, 16)] {
        let by_hand: f32 = (0..16)
            .map(|pixel| conditionals[(row * 16 + pixel) * LEVELS + level])
            .sum();
        assert!(
            (log_p[row] - by_hand).abs() < 1e-3,
            "{} vs {by_hand}",
            log_p[row]
        );
        // The read-out starts small, so untrained conditionals are near uniform: within a
        // tenth of a nat per pixel of ln 17 (measured with seed 7: 0.0023 and 0.034).
        let per_pixel = (log_p[row] / 16.0 + (LEVELS as f32).ln()).abs();
        assert!(per_pixel < 0.1, "{per_pixel} nats per pixel from uniform");
    }
}

#[test]
fn a_prefix_gets_the_conditionals_the_whole_sequence_gets() {
    // Sampling runs the network on growing prefixes; causality means pixel i's conditional
    // from a prefix equals the one from the whole image.
    let _rng = device_rng();
    let gpt = model(2);
    let net = gpt.net.module.valid();
    let v = images(&[std::array::from_fn(|i| ((i * 7 + 2) % 17) as f32)]);
    let whole = values(net.logits(v.clone()));
    for i in [0usize, 6, 15] {
        let prefix = values(net.logits(v.clone().narrow(1, 0, i + 1)));
        for level in 0..LEVELS {
            let (a, b) = (prefix[i * LEVELS + level], whole[i * LEVELS + level]);
            assert!((a - b).abs() < 1e-4, "pixel {i}, level {level}: {a} vs {b}");
        }
    }
}

#[test]
fn attention_rows_are_distributions_over_the_positions_so_far() {
    let _rng = device_rng();
    let gpt = model(1);
    let v = images(&[[5.0; 16]]);
    let weights = values(gpt.net.module.valid().last_attention(v)); // [1, 2, 16, 16]
    for head in 0..2 {
        for i in 0..16 {
            let row = &weights[(head * 16 + i) * 16..(head * 16 + i + 1) * 16];
            let total: f32 = row[..=i].iter().sum();
            assert!((total - 1.0).abs() < 1e-5, "head {head}, row {i}: {total}");
            assert!(row[i + 1..].iter().all(|w| *w == 0.0), "row {i} sees ahead");
        }
    }
}

#[test]
fn the_attention_view_marks_what_the_pixel_may_not_read() {
    let _rng = device_rng();
    let gpt = model(1);
    let x = cell_centres(images(&[[4.0; 16], [9.0; 16]]), LEVELS);
    let view = values(gpt.attention(x, 6)); // [2, 2 · 16]
    assert_eq!(view.len(), 2 * 2 * 16);
    for image in 0..2 {
        let context = &view[image * 16..(image + 1) * 16];
        let map = &view[32 + image * 16..32 + (image + 1) * 16];
        assert!(context[..6].iter().all(|p| p.is_finite()));
        assert!(context[6..].iter().all(|p| p.is_nan()));
        assert!(map[6..].iter().all(|p| p.is_nan()));
        let largest = map[..6].iter().cloned().fold(0.0, f32::max);
        assert!((largest - 1.0).abs() < 1e-6, "scaled to its largest weight");
        assert!(map[..6].iter().all(|w| (0.0..=1.0).contains(w)));
    }
}

#[test]
fn samples_are_grey_levels_drawn_token_by_token() {
    let _rng = device_rng();
    let gpt = model(1);
    let chain = gpt.net.module.valid().sample_chain(3, 16, &Device::flex());
    assert_eq!(chain.len(), 17);
    let last = values(chain[16].clone());
    assert!(
        last.iter()
            .all(|v| v.fract() == 0.0 && (0.0..17.0).contains(v))
    );
    let third = values(chain[2].clone());
    assert!(
        third
            .iter()
            .enumerate()
            .all(|(k, v)| k % 16 < 2 || *v == 0.0)
    );
    let samples = values(gpt.sample(4));
    assert_eq!(samples.len(), 4 * 16);
    assert!(samples.iter().all(|x| (0.0..1.0).contains(x)));
}

#[test]
fn a_label_token_starts_a_conditional_sequence_and_conditions_every_pixel() {
    let _rng = device_rng();
    let device = Device::flex();
    device.seed(8);
    let config = ImageGptConfig::new()
        .with_width(8)
        .with_layers(1)
        .with_conditional(true);
    let gpt = ImageGpt::init(&config, &TrainingConfig::new(), 16, &device);
    let net = gpt.net.module.valid();
    let labels =
        Tensor::<1>::from_floats([0.0, 9.0, crate::models::labels::NO_LABEL as f32], &device);
    assert_eq!(
        values(net.start_tokens(labels)),
        vec![18.0, 27.0, 17.0],
        "label y: levels + 1 + y; no label: levels"
    );
    let v = images(&[[4.0; 16]]);
    let by_label = |label: f32| {
        let start = net.start_tokens(Tensor::from_floats([label], &device));
        values(net.logits_from(start, v.clone()))
    };
    let (two, seven) = (by_label(2.0), by_label(7.0));
    for pixel in [0usize, 15] {
        let row = pixel * LEVELS..(pixel + 1) * LEVELS;
        assert!(
            two[row.clone()]
                .iter()
                .zip(&seven[row])
                .any(|(a, b)| (a - b).abs() > 1e-6)
        );
    }
    let no_label = by_label(crate::models::labels::NO_LABEL as f32);
    assert_eq!(
        no_label,
        values(net.logits(v)),
        "no label is the unconditional model"
    );
}

#[test]
fn a_digit_needs_a_conditional_model() {
    let config = ImageGptConfig::new().with_digit(Digit::Four);
    assert_eq!(config.validate().expect_err("unconditional").field, "digit");
    assert!(config.with_conditional(true).validate().is_ok());
}

#[test]
fn heads_must_divide_the_width() {
    let config = ImageGptConfig::new().with_width(10).with_heads(4);
    let error = config.validate().expect_err("4 heads do not split 10");
    assert_eq!(error.field, "heads");
    assert!(ImageGptConfig::new().validate().is_ok());
}
