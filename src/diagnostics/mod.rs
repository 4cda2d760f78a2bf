//! Measurements: the arithmetic rate of the backend's matrix product (the roof the benchmark
//! compares training steps against), the start-up timing probe that chooses between the CPU
//! backend and a hardware WebGPU adapter by timing a training step on each, and a self-check of
//! the CPU backend's matrix products ([`matrix_products`]), of its fused hidden layer
//! ([`fused_layer`]), of the SIMD SiLU pass in that layer ([`silu_pass`]), of RealNVP's fused
//! coupling ([`fused_coupling`]) and of Adam's fused update ([`adam`]).

pub mod adam;
pub mod fused_coupling;
pub mod fused_layer;
pub mod matrix_products;
pub mod silu_pass;

use burn::tensor::{Device, Distribution, Tensor};

use crate::models::flow_matching::FlowMatching;
use crate::options::LabOptions;
use crate::session::Session;

/// Steps trained before the probe's clock starts: kernel compilation and the allocator's first
/// pages are not the cost of a step.
pub const PROBE_WARM_UP: u32 = 3;
/// Steps the probe times (one readback at their end).
pub const PROBE_STEPS: u32 = 8;

/// Milliseconds per training step on `device` of the 2-D families' default shape (flow
/// matching at its defaults: an MLP 3×128 at batch 512), after [`PROBE_WARM_UP`] steps; `now`
/// is a clock in milliseconds. Small networks are often faster on the CPU than on a GPU, whose
/// per-kernel cost dominates them; the probe measures rather than guesses.
pub async fn time_training_step(device: &Device, now: impl Fn() -> f64) -> Result<f64, String> {
    let mut session =
        Session::<FlowMatching>::new(LabOptions::defaults(), device).map_err(|e| e.to_string())?;
    session.train(PROBE_WARM_UP).read().await?;
    let start = now();
    session.train(PROBE_STEPS).read().await?;
    Ok((now() - start) / f64::from(PROBE_STEPS))
}

/// `repeats` products `[m, k] × [k, n]` of the same random matrices on `device`, each reduced to
/// its first element and summed into `[1]`, so that one readback waits for all of them.
pub fn matmul_chain(device: &Device, m: usize, k: usize, n: usize, repeats: usize) -> Tensor<1> {
    let normal = Distribution::Normal(0.0, 1.0);
    let a = Tensor::<2>::random([m, k], normal, device);
    let b = Tensor::<2>::random([k, n], normal, device);
    (0..repeats).fold(Tensor::zeros([1], device), |sum, _| {
        sum + a.clone().matmul(b.clone()).slice([0..1, 0..1]).reshape([1])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chain_sums_the_first_entry_of_each_product() {
        let device = Device::flex();
        let _rng = crate::session::device_rng();
        device.seed(1);
        let value = matmul_chain(&device, 3, 4, 2, 5)
            .into_data()
            .try_into_vec_as::<f32>()
            .unwrap()[0];
        device.seed(1);
        let normal = Distribution::Normal(0.0, 1.0);
        let a = Tensor::<2>::random([3, 4], normal, &device);
        let b = Tensor::<2>::random([4, 2], normal, &device);
        let first = a.matmul(b).into_data().try_into_vec_as::<f32>().unwrap()[0];
        assert!((value - 5.0 * first).abs() < 1e-4, "{value} vs 5 × {first}");
    }

    #[test]
    #[cfg(not(target_arch = "wasm32"))]
    fn the_probe_times_the_steps_after_the_warm_up() {
        // A clock that advances 1 ms per reading: the probe reads it exactly twice, around the
        // timed steps, so it reports 1/PROBE_STEPS ms per step whatever the steps cost.
        let ticks = std::cell::Cell::new(0.0);
        let clock = || {
            ticks.set(ticks.get() + 1.0);
            ticks.get()
        };
        let per_step = pollster::block_on(time_training_step(&Device::flex(), clock)).unwrap();
        assert_eq!(per_step, 1.0 / f64::from(PROBE_STEPS));
        let start = std::time::Instant::now();
        let real = pollster::block_on(time_training_step(&Device::flex(), || {
            start.elapsed().as_secs_f64() * 1e3
        }))
        .unwrap();
        assert!(real > 0.0 && real.is_finite(), "{real} ms per step");
    }
}
