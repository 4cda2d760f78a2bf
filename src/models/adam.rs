//! Adam with each parameter's update in one pass on the CPU backend.
//!
//! Burn's Adam (burn-optim) updates a parameter by thirteen element-wise tensor operations, each
//! its own pass over the parameter and most their own buffer: about 5 % of a flow-matching step
//! on the CPU path (`bench/profile_step.mjs`, the optimizer's share with what it calls). On
//! `flex`, for f32 parameters with a state (every step after the first), [`Adam`] does that
//! arithmetic in one loop over the entries, in place where the parameter and its moments are not
//! shared: the same operations in the same order, each rounded to f32 as Burn's are, so the same
//! bits (checked natively and in the browser by `diagnostics::adam`). Elsewhere (WebGPU, a
//! parameter's first step, another dtype) it is Burn's Adam. Its state is Burn's [`AdamState`],
//! so records and devices move as Burn's do.

use crate::models::activation::host_computes_f32;
use crate::models::fused_linear::contiguous;
use burn::backend::flex::FlexTensor;
use burn::backend::tensor::FloatTensor;
use burn::backend::{Backend, Dispatch, Flex, backend_extension};
use burn::optim::{
    AdamConfig, AdamState, AdaptiveMomentumState, LearningRate, ModuleOptimizer, Optimizer,
};
use burn::prelude::*;

/// Adam's `β₂` (Burn's default).
pub const BETA_2: f32 = 0.999;
/// Adam's `ε` (Burn's default).
pub const EPSILON: f32 = 1e-5;

/// Adam with moment decay `beta_1`, [`BETA_2`] and [`EPSILON`]: Burn's, with the update fused on
/// the CPU backend (see the module documentation).
#[derive(Clone)]
pub struct Adam {
    burn: burn::optim::Adam,
    beta_1: f32,
}

impl Adam {
    /// Adam with first-moment decay `beta_1` (0.9 is Burn's default; a GAN takes 0.5).
    pub fn new(beta_1: f32) -> Self {
        Self {
            burn: Self::burns(beta_1).build(),
            beta_1,
        }
    }

    /// The configuration of Burn's Adam with the same constants (what [`Adam`] computes
    /// elsewhere, and what its self-check compares it with).
    pub fn burns(beta_1: f32) -> AdamConfig {
        AdamConfig::new()
            .with_beta_1(beta_1)
            .with_beta_2(BETA_2)
            .with_epsilon(EPSILON)
    }

    /// The optimizer of a whole module.
    pub fn init(self) -> ModuleOptimizer {
        self.into()
    }
}

impl Optimizer for Adam {
    type State<const D: usize> = AdamState<D>;

    fn step<const D: usize>(
        &self,
        lr: LearningRate,
        tensor: Tensor<D>,
        grad: Tensor<D>,
        state: Option<Self::State<D>>,
    ) -> (Tensor<D>, Option<Self::State<D>>) {
        let momentum = match state {
            Some(state) if fuses(&tensor, &grad, &state) => state.momentum,
            state => return self.burn.step(lr, tensor, grad, state),
        };
        let time = momentum.time + 1;
        let step = AdamStep::new(self.beta_1, time, lr);
        let (tensor, moment_1, moment_2) = <Dispatch as AdamBackend>::adam_update(
            tensor.into_dispatch(),
            grad.into_dispatch(),
            momentum.moment_1.into_dispatch(),
            momentum.moment_2.into_dispatch(),
            step,
        );
        let momentum = AdaptiveMomentumState::new(
            time,
            Tensor::from_dispatch(moment_1),
            Tensor::from_dispatch(moment_2),
        );
        (
            Tensor::from_dispatch(tensor),
            Some(AdamState::new(momentum)),
        )
    }

    fn to_device<const D: usize>(state: Self::State<D>, device: &Device) -> Self::State<D> {
        <burn::optim::Adam as Optimizer>::to_device(state, device)
    }
}

/// Whether [`Adam`] updates `tensor` on the host: a state exists (not the first step) without
/// AMSGrad's maximum (never built here, but a record could carry one), and every tensor is f32
/// on the CPU backend.
fn fuses<const D: usize>(tensor: &Tensor<D>, grad: &Tensor<D>, state: &AdamState<D>) -> bool {
    let momentum = &state.momentum;
    let dtypes = [tensor, grad, &momentum.moment_1, &momentum.moment_2].map(Tensor::dtype);
    momentum.max_moment_2.is_none() && host_computes_f32(&tensor.device(), dtypes)
}

/// One step's constants, computed as Burn's Adam computes them (all in f32).
#[derive(Debug, Clone, Copy)]
pub struct AdamStep {
    beta_1: f32,
    keep_1: f32,
    beta_2: f32,
    keep_2: f32,
    /// `√(1 − β₂ᵗ) / (1 − β₁ᵗ)`: both bias corrections in one factor.
    scale: f32,
    /// `ε·√(1 − β₂ᵗ)`.
    epsilon: f32,
    learning_rate: f32,
}

impl AdamStep {
    /// The constants of step `time` (1 for the first) at learning rate `lr`.
    fn new(beta_1: f32, time: usize, lr: LearningRate) -> Self {
        let time = time as i32;
        let correction_2 = (1.0 - BETA_2.powi(time)).sqrt();
        Self {
            beta_1,
            keep_1: 1.0 - beta_1,
            beta_2: BETA_2,
            keep_2: 1.0 - BETA_2,
            scale: correction_2 / (1.0 - beta_1.powi(time)),
            epsilon: EPSILON * correction_2,
            learning_rate: lr as f32,
        }
    }
}

/// Adam's update as a backend operation: implemented for `flex` only ([`Adam`] calls it only
/// there). Optimizers run on the tensors autodiff wraps, so no backward pass exists for it.
#[backend_extension(Flex)]
pub trait AdamBackend: Backend {
    /// The parameter and its two moments after one step with gradient `grad` (all of one shape).
    fn adam_update(
        param: FloatTensor<Self>,
        grad: FloatTensor<Self>,
        moment_1: FloatTensor<Self>,
        moment_2: FloatTensor<Self>,
        step: AdamStep,
    ) -> (FloatTensor<Self>, FloatTensor<Self>, FloatTensor<Self>);
}

impl AdamBackend for Flex {
    fn adam_update(
        param: FlexTensor,
        grad: FlexTensor,
        moment_1: FlexTensor,
        moment_2: FlexTensor,
        step: AdamStep,
    ) -> (FlexTensor, FlexTensor, FlexTensor) {
        let grad = contiguous(grad);
        let (mut param, mut moment_1, mut moment_2) = (
            contiguous(param),
            contiguous(moment_1),
            contiguous(moment_2),
        );
        let entries = grad.layout().shape().num_elements();
        for tensor in [&param, &moment_1, &moment_2] {
            assert_eq!(
                tensor.layout().shape(),
                grad.layout().shape(),
                "adam_update: shapes"
            );
        }
        // `storage_mut` copies a buffer another tensor shares (a snapshot of the weights).
        update(
            &mut param.storage_mut::<f32>()[..entries],
            &grad.storage::<f32>()[..entries],
            &mut moment_1.storage_mut::<f32>()[..entries],
            &mut moment_2.storage_mut::<f32>()[..entries],
            step,
        );
        (param, moment_1, moment_2)
    }
}

/// Adam's step on each entry, Burn's operations in Burn's order: `m ← m·β₁ + g·(1 − β₁)`,
/// `v ← v·β₂ + g²·(1 − β₂)`, `p ← p − (m·scale / (√v + ε′))·lr`.
fn update(
    param: &mut [f32],
    grad: &[f32],
    moment_1: &mut [f32],
    moment_2: &mut [f32],
    s: AdamStep,
) {
    for (((p, &g), m), v) in param.iter_mut().zip(grad).zip(moment_1).zip(moment_2) {
        *m = *m * s.beta_1 + g * s.keep_1;
        *v = *v * s.beta_2 + g * g * s.keep_2;
        let direction = *m * s.scale / (v.sqrt() + s.epsilon);
        *p -= direction * s.learning_rate;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::tensor::DType;

    /// `count` deterministic values of about `scale` (a sine sweep from `seed`).
    fn entries(count: usize, seed: f32, scale: f32) -> Vec<f32> {
        (0..count)
            .map(|i| scale * (seed + 0.7 * i as f32).sin())
            .collect()
    }

    fn tensor(values: Vec<f32>, shape: [usize; 2], device: &Device) -> Tensor<2> {
        Tensor::from_data(TensorData::new(values, shape), device)
    }

    /// The parameters' shape in these tests, and its entry count.
    const SHAPE: [usize; 2] = [16, 32];
    const N: usize = 16 * 32;

    /// A parameter, its gradient and a state of step `time` on the CPU backend (no autodiff, as
    /// optimizers see them), with moments of both signs and a zero gradient entry.
    fn parts(time: usize) -> (Tensor<2>, Tensor<2>, AdamState<2>) {
        let device = Device::flex();
        let mut grad = entries(N, 0.2, 3.0);
        grad[7] = 0.0;
        let moment_2: Vec<f32> = entries(N, 1.1, 2.0).iter().map(|v| v * v).collect();
        let state = AdaptiveMomentumState::new(
            time,
            tensor(entries(N, 0.6, 1.0), SHAPE, &device),
            tensor(moment_2, SHAPE, &device),
        );
        (
            tensor(entries(N, 0.9, 2.0), SHAPE, &device),
            tensor(grad, SHAPE, &device),
            AdamState::new(state),
        )
    }

    fn bits<const D: usize>(t: Tensor<D>) -> Vec<u32> {
        let values = t.into_data().try_into_vec::<f32>().unwrap();
        values.iter().map(|v| v.to_bits()).collect()
    }

    #[test]
    fn the_host_update_gives_the_bits_of_burns_tensor_operations() {
        for (beta_1, time, lr) in [(0.9, 1, 1e-3), (0.5, 4, 3e-2), (0.9, 250, 0.7)] {
            let (param, grad, state) = parts(time);
            let ours = Adam::new(beta_1);
            let (p, s) = ours.step(lr, param.clone(), grad.clone(), Some(state.clone()));
            let (q, t) = ours.burn.step(lr, param.clone(), grad, Some(state));
            let (s, t) = (s.unwrap().momentum, t.unwrap().momentum);
            assert_eq!(s.time, t.time);
            assert_eq!(bits(p.clone()), bits(q));
            assert_eq!(bits(s.moment_1), bits(t.moment_1));
            assert_eq!(bits(s.moment_2), bits(t.moment_2));
            assert_ne!(bits(p), bits(param), "the step moved the parameter");
        }
    }

    #[test]
    fn the_host_updates_f32_parameters_on_the_cpu_backend_after_their_first_step() {
        let (param, grad, state) = parts(3);
        assert!(fuses(&param, &grad, &state));
        let wide = |t: Tensor<2>| t.cast(DType::F64);
        let (wide_param, wide_grad) = (wide(param.clone()), wide(grad.clone()));
        assert!(!fuses(&wide_param, &wide_grad, &state));
        let mut amsgrad = state.clone();
        amsgrad.momentum.max_moment_2 = Some(amsgrad.momentum.moment_2.clone());
        assert!(!fuses(&param, &grad, &amsgrad));
    }

    #[test]
    fn shared_tensors_are_copied_not_changed() {
        let (param, grad, state) = parts(3);
        let kept = (bits(param.clone()), bits(state.momentum.moment_1.clone()));
        let adam = Adam::new(0.9);
        let (first, _) = adam.step(1e-2, param.clone(), grad.clone(), Some(state.clone()));
        let (second, _) = adam.step(1e-2, param.clone(), grad, Some(state.clone()));
        assert_eq!(bits(first), bits(second));
        assert_eq!((bits(param), bits(state.momentum.moment_1)), kept);
    }

    #[test]
    fn the_first_step_is_burns_and_starts_the_state() {
        let (param, grad, _) = parts(0);
        let adam = Adam::new(0.9);
        let (p, s) = adam.step(1e-2, param.clone(), grad.clone(), None);
        let (q, _) = adam.burn.step(1e-2, param, grad, None);
        assert_eq!(bits(p), bits(q));
        assert_eq!(s.unwrap().momentum.time, 1);
    }
}
