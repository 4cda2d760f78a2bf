use super::*;
use crate::models::math::input_gradient;
use crate::session::device_rng;

/// A seeded untrained VQ-VAE of 4×4 images (a 2×2 code grid) with `codes` entries (the caller
/// holds [`device_rng`]).
fn model(codes: usize) -> VqVae {
    let device = Device::flex();
    device.seed(3);
    let config = VqVaeConfig::new()
        .with_codes(codes)
        .with_code_dim(3)
        .with_channels(4)
        .with_prior_layers(1);
    VqVae::init(&config, &TrainingConfig::new(), 16, &device)
}

fn values<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    t.into_data().try_into_vec_as::<f32>().unwrap()
}

/// Grey levels `[rows, 16]`.
fn images(rows: &[[f32; 16]]) -> Tensor<2> {
    let flat: Vec<f32> = rows.iter().flatten().copied().collect();
    Tensor::<1>::from_floats(flat.as_slice(), &Device::flex()).reshape([rows.len(), 16])
}

#[test]
fn each_cell_takes_its_nearest_codebook_entry() {
    let _rng = device_rng();
    let vq = model(5);
    let ae = vq.net.module.valid().autoencoder;
    let device = Device::flex();
    let encoded = Tensor::<2>::random([12, 3], burn::tensor::Distribution::Default, &device);
    let q = ae.quantise(encoded.clone());
    let (book, x) = (values(ae.codebook.val()), values(encoded));
    let (codes, quantised) = (values(q.codes), values(q.quantised));
    for row in 0..12 {
        let distance = |c: usize| -> f32 {
            (0..3)
                .map(|d| (x[row * 3 + d] - book[c * 3 + d]).powi(2))
                .sum()
        };
        let nearest = (0..5)
            .min_by(|a, b| distance(*a).total_cmp(&distance(*b)))
            .unwrap();
        assert_eq!(codes[row] as usize, nearest, "row {row}");
        assert_eq!(
            &quantised[row * 3..row * 3 + 3],
            &book[nearest * 3..nearest * 3 + 3]
        );
    }
}

#[test]
fn the_straight_through_gradient_is_the_gradient_at_the_quantised_vector() {
    let _rng = device_rng();
    let device = Device::flex();
    let encoded = Tensor::<2>::from_floats([[0.2, -1.0], [3.0, 0.5]], &device);
    let quantised = Tensor::<2>::from_floats([[0.0, -1.5], [2.0, 1.0]], &device);
    let weights = Tensor::<2>::from_floats([[1.0, 2.0], [3.0, 4.0]], &device);
    // f(z) = Σ w·z², so ∇f at the quantised vector is 2·w·q, whatever the encoder's value.
    let grad = input_gradient(encoded.clone(), |z| {
        let st = straight_through(z, quantised.clone().autodiff());
        st.powi_scalar(2) * weights.clone().autodiff()
    });
    let expected = values(weights * quantised.clone() * 2.0);
    assert_eq!(values(grad), expected);
    let forward = values(straight_through(encoded, quantised.clone()));
    assert_eq!(
        forward,
        values(quantised),
        "the forward value is the quantised one"
    );
}

#[test]
fn the_codebook_loss_moves_only_the_codebook_and_the_commitment_only_the_encoder() {
    let _rng = device_rng();
    let vq = model(4);
    let v = images(&[std::array::from_fn(|i| (i % 17) as f32)]);
    let grad_of = |pick: fn(&Losses) -> Tensor<1>| {
        let losses = VqVae::losses(&vq.net.module, v.clone());
        let grads = pick(&losses).backward();
        let ae = &vq.net.module.autoencoder;
        let book = ae.codebook.val().grad(&grads).map(|g| values(g));
        let encoder = ae.encode_out.weight.val().grad(&grads).map(|g| values(g));
        let nonzero = |g: Option<Vec<f32>>| g.is_some_and(|g| g.iter().any(|v| *v != 0.0));
        (nonzero(book), nonzero(encoder))
    };
    assert_eq!(
        grad_of(|l| l.codebook.clone()),
        (true, false),
        "codebook loss"
    );
    assert_eq!(
        grad_of(|l| l.commitment.clone()),
        (false, true),
        "commitment loss"
    );
    // The decoder reads encoded + stop(quantised − encoded): its gradient reaches the encoder
    // and, as in the paper, not the codebook, which learns from the codebook loss alone.
    assert_eq!(
        grad_of(|l| l.reconstruction.clone()),
        (false, true),
        "reconstruction"
    );
}

#[test]
fn the_bound_falls_short_of_log_p_by_the_posterior_of_the_chosen_codes() {
    // Two codes on a 2×2 grid: 16 code grids, so log p(v) = log Σ_z p(z)·p(v | z) exactly.
    let _rng = device_rng();
    let vq = model(2);
    let v = images(&[
        std::array::from_fn(|i| ((i * 3) % 17) as f32),
        std::array::from_fn(|i| if i < 8 { 16.0 } else { 0.0 }),
    ]);
    let (codes, elbo) = vq.elbo(v.clone());
    let (codes, elbo) = (values(codes), values(elbo));
    let grids: Vec<f32> = (0..16)
        .flat_map(|g: usize| (0..4).map(move |cell| ((g >> (3 - cell)) & 1) as f32))
        .collect();
    let grids = Tensor::<1>::from_floats(grids.as_slice(), &Device::flex()).reshape([16, 4]);
    let networks = vq.net.module.valid();
    let log_prior = values(log_likelihood(
        networks.prior.logits(grids.clone()),
        grids.clone(),
    ));
    let logits = vq.decode_codes(grids); // [16, 16, levels]
    for image in 0..2 {
        let row = v.clone().narrow(0, image, 1).repeat_dim(0, 16); // [16, 16]
        let log_likelihoods = values(log_likelihood(logits.clone(), row));
        let joint: Vec<f64> = (0..16)
            .map(|g| (log_prior[g] + log_likelihoods[g]) as f64)
            .collect();
        let top = joint.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        let log_p = top + joint.iter().map(|j| (j - top).exp()).sum::<f64>().ln();
        let chosen: usize = (0..4)
            .map(|cell| (codes[image * 4 + cell] as usize) << (3 - cell))
            .sum();
        let posterior = joint[chosen] - log_p;
        assert!(
            (elbo[image] as f64) <= log_p + 1e-4,
            "a bound: {} vs {log_p}",
            elbo[image]
        );
        let gap = log_p - elbo[image] as f64;
        assert!(
            (gap + posterior).abs() < 1e-3,
            "gap {gap} vs −log p(z*|v) {}",
            -posterior
        );
    }
}

#[test]
fn usage_counts_the_codes_in_use_and_their_perplexity() {
    let device = Device::flex();
    let codes = Tensor::<2>::from_floats([[0.0, 0.0, 2.0, 2.0]], &device);
    let (used, perplexity) = usage(codes, 4);
    assert_eq!(values(used), vec![2.0]);
    assert!(
        (values(perplexity)[0] - 2.0).abs() < 1e-5,
        "two codes used equally: e^ln2"
    );
}

#[test]
fn samples_and_views_have_their_shapes() {
    let _rng = device_rng();
    let vq = model(3);
    let samples = values(vq.sample(5));
    assert_eq!(samples.len(), 5 * 16);
    assert!(samples.iter().all(|x| (0.0..1.0).contains(x)));
    let data = cell_centres(images(&[[2.0; 16], [9.0; 16], [16.0; 16]]), LEVELS);
    assert_eq!(vq.reconstructions(data.clone()).dims(), [2, 3 * 16]);
    let usage_view = values(vq.codebook_usage(data));
    assert_eq!(usage_view.len(), 2 * 3 * 16);
    let shares = &usage_view[3 * 16..];
    let largest = shares.iter().cloned().fold(0.0, f32::max);
    assert_eq!(largest, 1.0, "the most used entry is at full brightness");
    for code in 0..3 {
        let dead = shares[code * 16] == 0.0;
        let decoded = &usage_view[code * 16..(code + 1) * 16];
        assert_eq!(decoded.iter().all(|p| p.is_nan()), dead, "code {code}");
    }
    assert_eq!(vq.prior_samples().dims(), [2, 8 * 16]);
}
