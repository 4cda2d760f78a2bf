//! A normalizing flow of RealNVP affine couplings (Dinh et al. 2017) with a standard Gaussian
//! base.
//!
//! Coupling `l` keeps the coordinates where its mask `m` is 1 and moves the others:
//! `y = m⊙x + (1 − m)⊙(x⊙exp(s(m⊙x)) + t(m⊙x))`, with `log|det ∂y/∂x| = Σ(1 − m)⊙s`; masks
//! alternate so every coordinate is moved. By the change of variables,
//! `log p(x) = log N(f(x); 0, I) + Σ_l log|det J_l|`, exact; sampling runs the inverses from
//! base samples.

use burn::prelude::*;
use burn::tensor::Distribution;

use crate::family::{
    Family, FamilyConfig, StepStats, ViewInfo, ViewInput, ViewKind, ViewParameter, ViewUnits,
};
use crate::models::activation::host_path;
use crate::models::fused_coupling::{affine_coupling, moves};
use crate::models::math::{saturating_tanh, standard_normal_log_density};
use crate::models::mlp::{Mlp, MlpConfig};
use crate::models::trained::Trained;
use crate::settings::{Setting, network_settings};
use crate::training::{Batches, TrainingConfig};

/// RealNVP settings; their ranges and help texts are declared once, in [`FamilyConfig::settings`].
#[derive(Config, Debug)]
pub struct RealNvpConfig {
    /// Coupling layers.
    #[config(default = 8)]
    pub layers: usize,
    /// Width of each hidden layer of each coupling's network.
    #[config(default = 64)]
    pub width: usize,
    /// Hidden layers of each coupling's network.
    #[config(default = 2)]
    pub depth: usize,
}

impl FamilyConfig for RealNvpConfig {
    fn defaults() -> Self {
        Self::new()
    }

    fn settings() -> Vec<Setting> {
        let [width, depth] = network_settings(
            "Units per hidden layer of each coupling's network",
            "Hidden layers of each coupling's network",
        );
        vec![
            Setting::integer("layers", 1, 32, "Coupling layers of the flow"),
            width,
            depth,
        ]
    }
}

/// Largest log-scale one coupling applies: `s = S·tanh(raw/S)` keeps each layer's stretch in
/// `[e^−S, e^S]`.
const MAX_LOG_SCALE: f32 = 2.0;
/// Half-width of the base-space lattice drawn by the warp view.
const LATTICE_EXTENT: f32 = 3.0;
/// Lines per axis of the lattice, and points per line.
const LATTICE_LINES: usize = 13;
const LATTICE_POINTS: usize = 64;
/// Base samples carried through the warp beside the lattice.
const WARPED_SAMPLES: usize = 512;

/// One network per coupling: `m⊙x` → `[s, t]`.
#[derive(Module, Debug)]
pub struct CouplingNets {
    nets: Vec<Mlp>,
}

/// See the module documentation.
#[derive(Clone)]
pub struct RealNvp {
    net: Trained<CouplingNets>,
    /// Coupling masks, `[1, dim]`, 1 where the coordinate is kept.
    masks: Vec<Tensor<2>>,
    dim: usize,
    device: Device,
}

impl RealNvp {
    /// `(s, t)` of coupling `l` at the kept coordinates `m⊙x`, `[n, dim]` each.
    fn scale_shift(net: &Mlp, kept: Tensor<2>, dim: usize) -> (Tensor<2>, Tensor<2>) {
        let out = net.forward(kept); // [n, 2·dim]
        let s = saturating_tanh(out.clone().narrow(1, 0, dim) / MAX_LOG_SCALE) * MAX_LOG_SCALE;
        (s, out.narrow(1, dim, dim))
    }

    /// The normalizing direction data → base with `net`: `(z, Σ log|det J|)`, `[n, dim]` and `[n]`;
    /// on the CPU backend each coupling after its network is one operation
    /// ([`affine_coupling`], on a packed state), elsewhere Burn's operations ([`Self::composed`]).
    fn normalize_with(&self, net: &CouplingNets, x: Tensor<2>) -> (Tensor<2>, Tensor<1>) {
        if host_path(&x.device()).is_none() {
            return self.composed(net, x);
        }
        let n = x.dims()[0];
        let log_det = Tensor::<2>::zeros([n, 1], &x.device());
        let start = Tensor::cat(vec![x, log_det], 1); // [n, dim + 1]
        let state = net.nets.iter().zip(&self.masks).enumerate().fold(
            start,
            |state, (layer, (net, mask))| {
                let x = state.clone().narrow(1, 0, self.dim); // [n, dim]
                let out = net.forward(x * mask.clone()); // [n, 2·dim]
                affine_coupling(state, out, layer % 2, MAX_LOG_SCALE)
            },
        );
        let log_det = state.clone().narrow(1, self.dim, 1).squeeze_dim(1); // [n]
        (state.narrow(1, 0, self.dim), log_det)
    }

    /// [`Self::normalize_with`] composed from Burn's operations, on any device.
    fn composed(&self, net: &CouplingNets, x: Tensor<2>) -> (Tensor<2>, Tensor<1>) {
        let n = x.dims()[0];
        let zero = Tensor::<2>::zeros([n, 1], &self.device);
        let (z, log_det) =
            net.nets
                .iter()
                .zip(&self.masks)
                .fold((x, zero), |(x, log_det), (net, mask)| {
                    let moved = mask.clone().neg() + 1.0; // [1, dim]
                    let (s, t) = Self::scale_shift(net, x.clone() * mask.clone(), self.dim);
                    let (s, t) = (s * moved.clone(), t * moved); // zero on the kept coordinates
                    (x * s.clone().exp() + t, log_det + s.sum_dim(1))
                });
        (z, log_det.squeeze_dim(1))
    }

    /// The normalizing direction data → base: `(z, Σ log|det J|)` for `x: [n, dim]`.
    pub fn normalize(&self, x: Tensor<2>) -> (Tensor<2>, Tensor<1>) {
        self.normalize_with(&self.net.module.valid(), x)
    }

    /// The generative direction base → data, keeping every intermediate: `z` first, `x` last,
    /// `layers + 1` tensors `[n, dim]`.
    pub fn generate_stages(&self, z: Tensor<2>) -> Vec<Tensor<2>> {
        let net = self.net.module.valid();
        let mut stages = vec![z];
        for (net, mask) in net.nets.iter().zip(&self.masks).rev() {
            let y = stages.last().expect("starts with z").clone();
            let moved = mask.clone().neg() + 1.0;
            let (s, t) = Self::scale_shift(net, y.clone() * mask.clone(), self.dim);
            let (s, t) = (s * moved.clone(), t * moved);
            stages.push((y - t) * s.neg().exp());
        }
        stages
    }

    /// The generative direction base → data: `[n, dim]` → `[n, dim]`.
    pub fn inverse(&self, z: Tensor<2>) -> Tensor<2> {
        self.generate_stages(z).pop().expect("at least the base")
    }

    /// A lattice of lines in base space and base samples beside it,
    /// `[2 · lines · points + samples, 2]`.
    fn lattice(&self) -> Tensor<2> {
        let at = |i: usize, count: usize| {
            -LATTICE_EXTENT + 2.0 * LATTICE_EXTENT * i as f32 / (count - 1) as f32
        };
        let mut points = Vec::with_capacity(4 * LATTICE_LINES * LATTICE_POINTS);
        for line in 0..LATTICE_LINES {
            for k in 0..LATTICE_POINTS {
                let (a, b) = (at(line, LATTICE_LINES), at(k, LATTICE_POINTS));
                points.extend([a, b, b, a]);
            }
        }
        let rows = points.len() / 2;
        let lattice = Tensor::<1>::from_floats(points.as_slice(), &self.device).reshape([rows, 2]);
        let normal = Distribution::Normal(0.0, 1.0);
        let samples = Tensor::random([WARPED_SAMPLES, 2], normal, &self.device);
        Tensor::cat(vec![lattice, samples], 0)
    }
}

impl Family for RealNvp {
    type Config = RealNvpConfig;
    type Networks = CouplingNets;
    const NAME: &'static str = "real_nvp";

    fn init(config: &Self::Config, training: &TrainingConfig, dim: usize, device: &Device) -> Self {
        let autodiff = device.clone().autodiff();
        let nets = (0..config.layers)
            .map(|_| MlpConfig::new(dim, 2 * dim, config.width, config.depth).init(&autodiff))
            .collect();
        let masks = (0..config.layers)
            .map(|l| {
                let mask: Vec<f32> = (0..dim)
                    .map(|j| f32::from(u8::from(!moves(j, l % 2))))
                    .collect();
                Tensor::<1>::from_floats(mask.as_slice(), device).unsqueeze::<2>()
            })
            .collect();
        Self {
            net: Trained::new(CouplingNets { nets }, training.learning_rate),
            masks,
            dim,
            device: device.clone(),
        }
    }

    fn train_step(&mut self, data: &mut Batches) -> StepStats {
        let (z, log_det) = self.normalize_with(&self.net.module, data.next());
        let nll = (standard_normal_log_density(z) + log_det).mean().neg(); // [1]
        self.net.step(&nll);
        StepStats(vec![("nll", nll.without_autodiff())])
    }

    fn networks(&self) -> CouplingNets {
        self.net.module.clone()
    }

    fn set_networks(&mut self, networks: CouplingNets) {
        self.net.module = networks;
    }

    fn sample(&self, n: usize) -> Tensor<2> {
        let z = Tensor::random([n, self.dim], Distribution::Normal(0.0, 1.0), &self.device);
        self.inverse(z)
    }

    fn log_density(&self, x: Tensor<2>) -> Option<Tensor<1>> {
        let (z, log_det) = self.normalize(x);
        Some(standard_normal_log_density(z) + log_det)
    }

    fn log_density_method(&self) -> &'static str {
        "exact, change of variables"
    }

    fn views(&self) -> Vec<ViewInfo> {
        let layers = self.masks.len() as f32;
        vec![
            ViewInfo {
                name: "log_density",
                units: ViewUnits::LogDensity,
                title: "Model log-density",
                description: "log N(f(x); 0, I) + Σ log|det J|, exact by the change of variables",
                input: ViewInput::Grid,
                kind: ViewKind::Heatmap,
                parameter: None,
            },
            ViewInfo {
                name: "warp",
                units: ViewUnits::Position,
                title: "Warp, layer by layer",
                description: "a lattice of lines and samples of the Gaussian base carried through \
                              the inverse couplings one at a time, base first",
                input: ViewInput::State,
                kind: ViewKind::Stages,
                parameter: Some(ViewParameter {
                    name: "layer",
                    default: layers,
                    min: 0.0,
                    max: layers,
                }),
            },
            ViewInfo {
                name: "latent",
                units: ViewUnits::Unitless,
                title: "Data in base space",
                description: "f(x) for data x: a trained flow makes these look like N(0, I)",
                input: ViewInput::Data,
                kind: ViewKind::Points,
                parameter: None,
            },
        ]
    }

    fn view(&self, name: &str, points: Tensor<2>, _parameter: f32) -> Option<Tensor<2>> {
        match name {
            "log_density" => self.log_density(points).map(|l| l.unsqueeze_dim(1)),
            "warp" => Some(Tensor::cat(self.generate_stages(self.lattice()), 0)),
            "latent" => Some(self.normalize(points).0),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::tensor::TensorData;

    fn values<const D: usize>(t: Tensor<D>) -> Vec<f32> {
        t.into_data().try_into_vec_as::<f32>().unwrap()
    }

    /// An untrained flow with weights large enough that every layer really bends space.
    fn flow(device: &Device) -> RealNvp {
        let _rng = crate::session::device_rng();
        device.seed(9);
        RealNvp::init(
            &RealNvpConfig::new().with_layers(4).with_width(16),
            &TrainingConfig::new(),
            2,
            device,
        )
    }

    #[test]
    fn inverse_undoes_the_normalizing_direction() {
        let device = Device::flex();
        let flow = flow(&device);
        let x = Tensor::<2>::random([64, 2], Distribution::Normal(0.0, 2.0), &device);
        let back = values(flow.inverse(flow.normalize(x.clone()).0));
        let moved = values(flow.normalize(x.clone()).0);
        let x = values(x);
        assert!(
            x.iter().zip(&moved).any(|(a, b)| (a - b).abs() > 0.1),
            "the flow should move points"
        );
        for (a, b) in x.iter().zip(&back) {
            assert!((a - b).abs() < 1e-4, "{a} vs {b}");
        }
    }

    #[test]
    fn the_log_determinant_is_the_finite_difference_jacobian() {
        let device = Device::flex();
        let flow = flow(&device);
        let h = 1e-2f32;
        let at = [0.4f32, -0.7];
        // Rows: x, x ± h e₁, x ± h e₂.
        let rows = vec![
            at[0],
            at[1],
            at[0] + h,
            at[1],
            at[0] - h,
            at[1],
            at[0],
            at[1] + h,
            at[0],
            at[1] - h,
        ];
        let x = Tensor::from_data(TensorData::new(rows, [5, 2]), &device);
        let (z, log_det) = flow.normalize(x);
        let z = values(z);
        let d =
            |plus: usize, minus: usize, k: usize| (z[2 * plus + k] - z[2 * minus + k]) / (2.0 * h);
        let det = d(1, 2, 0) * d(3, 4, 1) - d(1, 2, 1) * d(3, 4, 0);
        let log_det = values(log_det)[0];
        assert!(
            (det.abs().ln() - log_det).abs() < 2e-3,
            "{} vs {log_det}",
            det.abs().ln()
        );
    }

    #[test]
    fn the_fused_couplings_give_the_composed_loss_and_input_gradient() {
        // The training graph both ways: the negative log-likelihood and its gradient with
        // respect to the data, which flows through every coupling's state and network output.
        let device = Device::flex();
        let flow = flow(&device);
        let nets = flow.networks();
        let autodiff = device.clone().autodiff();
        let points = values(Tensor::<2>::random(
            [128, 2],
            Distribution::Normal(0.0, 2.0),
            &device,
        ));
        let run = |fused: bool| {
            let x = Tensor::<2>::from_data(TensorData::new(points.clone(), [128, 2]), &autodiff)
                .require_grad();
            let (z, log_det) = if fused {
                flow.normalize_with(&nets, x.clone())
            } else {
                flow.composed(&nets, x.clone())
            };
            let nll = (standard_normal_log_density(z) + log_det).mean().neg(); // [1]
            let grad = x.grad(&nll.backward()).expect("∂/∂x");
            (values(nll)[0], values(grad))
        };
        let ((fused, fused_grad), (composed, composed_grad)) = (run(true), run(false));
        assert!(
            (fused - composed).abs() <= 1e-5 * (1.0 + composed.abs()),
            "{fused} vs {composed}"
        );
        assert!(
            composed_grad.iter().any(|g| g.abs() > 1e-3),
            "a gradient to compare"
        );
        for (a, b) in fused_grad.iter().zip(&composed_grad) {
            assert!((a - b).abs() <= 1e-5 * (1.0 + b.abs()), "∂/∂x: {a} vs {b}");
        }
    }

    #[test]
    fn the_density_integrates_to_one() {
        let device = Device::flex();
        let flow = flow(&device);
        let mass =
            crate::models::math::grid_mass(|x| flow.log_density(x).unwrap(), 1e+01, 400, &device);
        assert!((mass - 1.0).abs() < 0.01, "∫p = {mass}");
    }
}
