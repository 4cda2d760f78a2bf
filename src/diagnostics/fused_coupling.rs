//! A self-check of the fused affine coupling (`models::fused_coupling`) against the same coupling
//! composed from Burn's operations: the next packed state and the gradients of the state and of
//! the network's output under a weighted sum, both computed on the same device (natively, and
//! in the browser tests on the wasm module's own `tanh` and `exp`).

use crate::diagnostics::fused_layer::{difference, entries, tensor, weighted_sum};
use crate::models::fused_coupling::{affine_coupling, composed};
use burn::prelude::*;

/// Shapes `[n, d]` checked: RealNVP's default (batch 512 of 2-D points) and a ragged one with an
/// odd number of coordinates; each with both parities.
pub const SHAPES: [[usize; 2]; 2] = [[512, 2], [37, 5]];

/// The bound of the log-scales in the check (RealNVP's own).
const MAX_LOG_SCALE: f32 = 2.0;

/// The largest difference [`check`] accepts, as `|fused − composed| / (1 + |composed|)`. The two
/// paths compute each entry with the same `tanh` and `exp`, in a different order of operations
/// in the output's gradient: observed 0 for the state and its gradient and 1.4e-7 for the
/// output's gradient natively (2026-12-04). A slope or log-scale off by 0.1 % is caught
/// (mutations of that size gave 8e-4 and 2.5e-3).
pub const TOLERANCE: f32 = 1e-5;

/// The largest difference between the fused and the composed coupling, over every shape of
/// [`SHAPES`] and both parities, of each quantity.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct FusedCouplingCheck {
    /// The next packed state.
    pub value: f32,
    /// `∂L/∂state`.
    pub state_grad: f32,
    /// `∂L/∂out` (the network's output).
    pub out_grad: f32,
}

impl FusedCouplingCheck {
    /// The largest of the three differences.
    pub fn worst(&self) -> f32 {
        [self.value, self.state_grad, self.out_grad]
            .into_iter()
            .fold(0.0, f32::max)
    }
}

/// Checks the fused coupling on `device` (the CPU backend; autodiff is added here) at every shape
/// of [`SHAPES`] and both parities. Reads tensors back synchronously: the CPU only.
pub fn check(device: &Device) -> FusedCouplingCheck {
    let device = device.clone().autodiff();
    let mut worst = FusedCouplingCheck::default();
    for ([n, d], parity) in SHAPES.into_iter().flat_map(|s| [(s, 0), (s, 1)]) {
        // A state of points of a few units with running log-determinants, and raw log-scales
        // to ±6 (the bound saturates them) with shifts of a few units.
        let state = entries(n * (d + 1), 0.4, 3.0);
        let out = entries(n * 2 * d, 1.3, 6.0);
        let leaves = || {
            (
                tensor(state.clone(), [n, d + 1], &device).require_grad(),
                tensor(out.clone(), [n, 2 * d], &device).require_grad(),
            )
        };
        let ((state_f, out_f), (state_c, out_c)) = (leaves(), leaves());
        let fused = affine_coupling(state_f.clone(), out_f.clone(), parity, MAX_LOG_SCALE);
        let reference = composed(state_c.clone(), out_c.clone(), parity, MAX_LOG_SCALE);
        let value = difference(fused.clone(), reference.clone());
        // The loss weighs every entry differently, the log-determinant's column included.
        let (fused_grads, reference_grads) = (
            weighted_sum(fused).backward(),
            weighted_sum(reference).backward(),
        );
        let grad = |t: &Tensor<2>, grads| t.grad(grads).expect("a gradient");
        worst = FusedCouplingCheck {
            value: worst.value.max(value),
            state_grad: worst.state_grad.max(difference(
                grad(&state_f, &fused_grads),
                grad(&state_c, &reference_grads),
            )),
            out_grad: worst.out_grad.max(difference(
                grad(&out_f, &fused_grads),
                grad(&out_c, &reference_grads),
            )),
        };
    }
    worst
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_and_both_gradients_match_the_composed_coupling() {
        let found = check(&Device::flex());
        println!("fused coupling against the composed one: {found:?}");
        assert!(found.worst() <= TOLERANCE, "{found:?}");
    }

    #[test]
    fn without_autodiff_and_on_a_strided_output_it_is_the_composed_value() {
        let device = Device::flex();
        let state = tensor(entries(30, 0.1, 2.0), [10, 3], &device);
        // A `[4, 10]` tensor transposed: a strided `[10, 4]` view.
        let out = tensor(entries(40, 0.8, 4.0), [4, 10], &device).transpose();
        let fused = affine_coupling(state.clone(), out.clone(), 1, MAX_LOG_SCALE);
        let reference = composed(state, out, 1, MAX_LOG_SCALE);
        assert!(difference(fused, reference) <= TOLERANCE);
    }

    #[test]
    fn kept_coordinates_pass_through_and_the_log_determinant_gains_the_log_scales() {
        // One row, d = 3, parity 0: coordinates 0 and 2 move, 1 is kept. By hand:
        // s = 2·tanh(a/2), y = x·eˢ + t, ℓ' = ℓ + Σ s.
        let device = Device::flex();
        let state = tensor(vec![1.0, -2.0, 0.5, 0.25], [1, 4], &device);
        let out = tensor(vec![0.6, 9.0, -1.2, 0.3, 7.0, -0.4], [1, 6], &device);
        let next = affine_coupling(state, out, 0, MAX_LOG_SCALE)
            .into_data()
            .try_into_vec::<f32>()
            .unwrap();
        let s = |a: f64| 2.0 * (a / 2.0).tanh();
        let (s0, s2) = (s(0.6), s(-1.2));
        let expected = [
            1.0 * s0.exp() + 0.3,
            -2.0,
            0.5 * s2.exp() - 0.4,
            0.25 + s0 + s2,
        ];
        for (got, want) in next.iter().zip(expected) {
            assert!(
                (f64::from(*got) - want).abs() < 1e-6,
                "{next:?} against {expected:?}"
            );
        }
    }
}
