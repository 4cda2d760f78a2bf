//! RealNVP's affine coupling (normalizing direction) as one operation on the CPU backend.
//!
//! Composed from Burn's operations (`models::real_nvp`), one coupling after its network is about
//! fifteen operations on `[n, d]` tensors (the two halves of the network's output, the bounded
//! log-scale `s = S·tanh(a/S)`, the masks, `x·eˢ + t`, the log-determinant's row sum), each with
//! its own buffer and autodiff node, and as many again backward. At RealNVP's `d = 2` each holds
//! a few thousand bytes, so their fixed cost, not their arithmetic, is what a step pays
//! (RealNVP's profile, BENCHMARKS.md's levers). On `flex`, [`affine_coupling`] does all of it in
//! one pass over a packed state `[n, d + 1]` (the point and its running log-determinant), and its
//! backward in one pass too. Elsewhere (WebGPU, a dtype other than f32) it is the same arithmetic
//! composed from Burn's operations ([`composed`], also the tests' reference); RealNVP itself keeps
//! its unpacked composed form there (`RealNvp::composed`).
//!
//! Coordinate `j` of a coupling with parity `p` moves when `j + p` is even (the masks of
//! `models::real_nvp`); the others pass through. For a moved `j`, with `a = out[j]` and
//! `t = out[d + j]`: `s = S·tanh(a/S)`, `y = x·eˢ + t`, and the log-determinant gains `s`.
//! Backward, for the incoming `(∂L/∂y, ∂L/∂ℓ)`: `∂L/∂x = ∂L/∂y·eˢ` (`∂L/∂y` where `j` is
//! kept), `∂L/∂ℓ` passes through, `∂L/∂t = ∂L/∂y` and `∂L/∂a = (∂L/∂y·x·eˢ + ∂L/∂ℓ)·(1 − tanh²)`
//! (zero where `j` is kept). The network's own input, `x` masked, is another path that
//! autodiff adds. Tested against the composed form, value and gradients
//! (`diagnostics::fused_coupling`, natively and in the browser).

use crate::models::activation::host_computes_f32;
use crate::models::fused_linear::contiguous;
use crate::models::math::saturating_tanh;
use burn::backend::autodiff::checkpoint::{base::Checkpointer, strategy::CheckpointStrategy};
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::flex::FlexTensor;
use burn::backend::tensor::FloatTensor;
use burn::backend::{Autodiff, Backend, Dispatch, Flex, backend_extension};
use burn::prelude::*;

/// Whether coordinate `coordinate` moves in a coupling of parity `parity` (else it is kept and
/// conditions the coupling's network).
pub fn moves(coordinate: usize, parity: usize) -> bool {
    (coordinate + parity).is_multiple_of(2)
}

/// One coupling on the packed state `[n, d + 1]` (point, running log-determinant) given its
/// network's output `out` (`[n, 2d]`: raw log-scales, then shifts), bounding log-scales to
/// `±max_log_scale`; returns the next packed state, `[n, d + 1]`. See the module documentation.
pub fn affine_coupling(
    state: Tensor<2>,
    out: Tensor<2>,
    parity: usize,
    max_log_scale: f32,
) -> Tensor<2> {
    if host_computes_f32(&state.device(), [state.dtype(), out.dtype()]) {
        let coupling = Coupling {
            parity,
            max_log_scale,
        };
        Tensor::from_dispatch(<Dispatch as FusedCouplingBackend>::affine_coupling(
            state.into_dispatch(),
            out.into_dispatch(),
            coupling,
        ))
    } else {
        composed(state, out, parity, max_log_scale)
    }
}

/// [`affine_coupling`] composed from Burn's operations, on any device.
pub fn composed(state: Tensor<2>, out: Tensor<2>, parity: usize, max_log_scale: f32) -> Tensor<2> {
    let d = state.dims()[1] - 1;
    let moved: Vec<f32> = (0..d)
        .map(|j| f32::from(u8::from(moves(j, parity))))
        .collect();
    let moved = Tensor::<1>::from_floats(moved.as_slice(), &state.device()).unsqueeze::<2>(); // [1, d]
    let x = state.clone().narrow(1, 0, d); // [n, d]
    let log_det = state.narrow(1, d, 1); // [n, 1]
    let raw = out.clone().narrow(1, 0, d); // [n, d]
    let s = saturating_tanh(raw / max_log_scale) * max_log_scale * moved.clone();
    let t = out.narrow(1, d, d) * moved; // [n, d]
    let y = x * s.clone().exp() + t; // [n, d]
    Tensor::cat(vec![y, log_det + s.sum_dim(1)], 1)
}

/// A coupling's constants: which coordinates move and the log-scale's bound.
#[derive(Debug, Clone, Copy)]
pub struct Coupling {
    /// Coordinate `j` moves when `j + parity` is even.
    pub parity: usize,
    /// `S` of `s = S·tanh(a/S)`.
    pub max_log_scale: f32,
}

/// The fused coupling as a backend operation: implemented for `flex` (the value) and for
/// autodiff on `flex` (the value and its backward pass).
#[backend_extension(Flex, Autodiff)]
pub trait FusedCouplingBackend: Backend {
    /// The next packed state (`[n, d + 1]`) from `state` (`[n, d + 1]`) and the network's
    /// output `out` (`[n, 2d]`).
    fn affine_coupling(
        state: FloatTensor<Self>,
        out: FloatTensor<Self>,
        coupling: Coupling,
    ) -> FloatTensor<Self>;
}

impl FusedCouplingBackend for Flex {
    fn affine_coupling(state: FlexTensor, out: FlexTensor, coupling: Coupling) -> FlexTensor {
        forward(&state, &out, coupling, None)
    }
}

/// What the backward pass keeps per entry of the point (`[n · d]` each): `eˢ` (1 where kept),
/// `x·eˢ` and `1 − tanh²(a/S)` (0 where kept).
#[derive(Debug, Clone, Default)]
struct Saved {
    scale: Vec<f32>,
    scaled: Vec<f32>,
    slope: Vec<f32>,
}

/// The forward pass: the next packed state, filling `saved` when given.
fn forward(
    state: &FlexTensor,
    out: &FlexTensor,
    coupling: Coupling,
    mut saved: Option<&mut Saved>,
) -> FlexTensor {
    let (state, out) = (contiguous(state.clone()), contiguous(out.clone()));
    let [n, packed] = dims(&state);
    let d = packed - 1;
    assert_eq!(dims(&out), [n, 2 * d], "affine_coupling: output shape");
    let (state, out) = (
        state.as_slice::<f32>().expect("an f32 state"), // [n · (d + 1)]
        out.as_slice::<f32>().expect("an f32 output"),  // [n · 2d]
    );
    if let Some(saved) = saved.as_deref_mut() {
        *saved = Saved {
            scale: Vec::with_capacity(n * d),
            scaled: Vec::with_capacity(n * d),
            slope: Vec::with_capacity(n * d),
        };
    }
    let bound = coupling.max_log_scale;
    let mut next = Vec::with_capacity(n * packed); // [n · (d + 1)]
    for (row, raw) in state.chunks_exact(packed).zip(out.chunks_exact(2 * d)) {
        let mut log_det = 0.0f32;
        for (j, &x) in row[..d].iter().enumerate() {
            let (y, scale, slope) = if moves(j, coupling.parity) {
                // f32 `tanh` is exact here (WGSL's is what `saturating_tanh` guards against).
                let tanh = (raw[j] / bound).tanh();
                let s = tanh * bound;
                let scale = s.exp();
                log_det += s;
                (x * scale + raw[d + j], scale, 1.0 - tanh * tanh)
            } else {
                (x, 1.0, 0.0)
            };
            next.push(y);
            if let Some(saved) = saved.as_deref_mut() {
                saved.scale.push(scale);
                saved.scaled.push(x * scale);
                saved.slope.push(slope);
            }
        }
        next.push(row[d] + log_det);
    }
    FlexTensor::from_data(TensorData::new(next, [n, packed]))
}

/// A matrix's `[rows, columns]`.
fn dims(tensor: &FlexTensor) -> [usize; 2] {
    let shape = tensor.layout().shape();
    assert_eq!(shape.num_dims(), 2, "affine_coupling: a matrix");
    [shape[0], shape[1]]
}

/// The backward step of [`FusedCouplingBackend::affine_coupling`] on autodiff; parents are the
/// state and the network's output.
#[derive(Debug)]
struct FusedCouplingBackward;

impl Backward<Flex, 2> for FusedCouplingBackward {
    type State = (Saved, Coupling);

    fn backward(self, ops: Ops<(Saved, Coupling), 2>, grads: &mut Gradients, _: &mut Checkpointer) {
        let [state_node, out_node] = ops.parents;
        let (saved, coupling) = ops.state;
        let grad = contiguous(grads.consume::<Flex>(&ops.node)); // [n, d + 1]
        let [n, packed] = dims(&grad);
        let d = packed - 1;
        let grad = grad.as_slice::<f32>().expect("an f32 gradient");
        if let Some(node) = state_node {
            let mut state_grad = Vec::with_capacity(n * packed); // [n · (d + 1)]
            for (row, scales) in grad.chunks_exact(packed).zip(saved.scale.chunks_exact(d)) {
                state_grad.extend(row[..d].iter().zip(scales).map(|(g, scale)| g * scale));
                state_grad.push(row[d]);
            }
            let state_grad = FlexTensor::from_data(TensorData::new(state_grad, [n, packed]));
            grads.register::<Flex>(node.id, state_grad);
        }
        if let Some(node) = out_node {
            let mut out_grad = vec![0.0f32; n * 2 * d]; // [n · 2d]
            let rows = grad
                .chunks_exact(packed)
                .zip(out_grad.chunks_exact_mut(2 * d));
            for (i, (row, out_row)) in rows.enumerate() {
                for j in (0..d).filter(|&j| moves(j, coupling.parity)) {
                    let at = i * d + j;
                    out_row[j] = (row[j] * saved.scaled[at] + row[d]) * saved.slope[at];
                    out_row[d + j] = row[j];
                }
            }
            let out_grad = FlexTensor::from_data(TensorData::new(out_grad, [n, 2 * d]));
            grads.register::<Flex>(node.id, out_grad);
        }
    }
}

impl<C: CheckpointStrategy> FusedCouplingBackend for Autodiff<Flex, C> {
    fn affine_coupling(
        state: FloatTensor<Self>,
        out: FloatTensor<Self>,
        coupling: Coupling,
    ) -> FloatTensor<Self> {
        let prepared = FusedCouplingBackward
            .prepare::<C>([state.node(), out.node()])
            .compute_bound()
            .stateful();
        let (state, out) = (state.into_primitive(), out.into_primitive());
        match prepared {
            OpsKind::Tracked(prep) => {
                let mut saved = Saved::default();
                let next = forward(&state, &out, coupling, Some(&mut saved));
                prep.finish((saved, coupling), next)
            }
            OpsKind::UnTracked(prep) => prep.finish(forward(&state, &out, coupling, None)),
        }
    }
}
