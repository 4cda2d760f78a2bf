//! An autoregressive model: MADE (Germain et al. 2015), a masked MLP whose output block `d` sees
//! only the inputs before `d`, so one pass gives every conditional of
//! `p(x) = Π_d p(x_d | x_<d)`. Each conditional is a mixture of K Gaussians whose weights, means
//! and scales are that output block. The log-density is exact; sampling is ancestral, one
//! coordinate per pass.

use burn::nn::{Linear, LinearConfig};
use burn::prelude::*;
use burn::tensor::activation::log_softmax;
use burn::tensor::{Distribution, Int, TensorData};

use crate::family::{
    Family, FamilyConfig, StepStats, ViewInfo, ViewInput, ViewKind, ViewParameter, ViewUnits,
};
use crate::models::activation::silu;
use crate::models::math::{LOG_TWO_PI, log_sum_exp};
use crate::models::trained::Trained;
use crate::settings::{Setting, network_settings};
use crate::training::{Batches, TrainingConfig};

/// MADE settings; their ranges and help texts are declared once, in [`FamilyConfig::settings`].
#[derive(Config, Debug)]
pub struct MadeConfig {
    /// Width of each hidden layer.
    #[config(default = 128)]
    pub width: usize,
    /// Hidden layers.
    #[config(default = 2)]
    pub depth: usize,
    /// Gaussian components K of each conditional.
    #[config(default = 8)]
    pub components: usize,
}

impl FamilyConfig for MadeConfig {
    fn defaults() -> Self {
        Self::new()
    }

    fn settings() -> Vec<Setting> {
        let [width, depth] = network_settings("Units per hidden layer", "Hidden layers");
        vec![
            Setting::integer(
                "components",
                1,
                32,
                "Gaussians per autoregressive conditional",
            ),
            width,
            depth,
        ]
    }
}

/// Bounds on each component's log-scale.
const LOG_SCALE: (f32, f32) = (-7.0, 3.0);
/// Parameters per component: weight logit, mean, log-scale.
const PER_COMPONENT: usize = 3;

/// The masked layers (the masks live beside them in [`Made`]: they are not trained).
#[derive(Module, Debug)]
pub struct MadeNet {
    layers: Vec<Linear>,
}

/// The autoregressive masks of a MADE with `dim` inputs, hidden widths `widths` and
/// `outputs_per_dim` outputs per coordinate, as `[d_in, d_out]` 0/1 matrices (Burn's `Linear`
/// weight layout). Input `j` has degree `j + 1`; hidden unit `k` degree `1 + k mod (dim − 1)`;
/// a hidden unit sees inputs of degree ≤ its own; output block `d` sees hidden units of degree
/// `≤ d` (strictly below `d + 1`), hence only inputs `< d`.
pub fn autoregressive_masks(
    dim: usize,
    widths: &[usize],
    outputs_per_dim: usize,
) -> Vec<(Vec<f32>, [usize; 2])> {
    let hidden_degree = |k: usize| 1 + k % (dim - 1).max(1);
    let mut in_degrees: Vec<usize> = (1..=dim).collect();
    let mut masks = Vec::new();
    for &width in widths {
        let out: Vec<usize> = (0..width).map(hidden_degree).collect();
        let mask = in_degrees
            .iter()
            .flat_map(|i| out.iter().map(move |o| f32::from(u8::from(o >= i))))
            .collect();
        masks.push((mask, [in_degrees.len(), width]));
        in_degrees = out;
    }
    let out: Vec<usize> = (0..dim * outputs_per_dim)
        .map(|o| o / outputs_per_dim + 1)
        .collect();
    let mask = in_degrees
        .iter()
        .flat_map(|i| out.iter().map(move |o| f32::from(u8::from(o > i))))
        .collect();
    masks.push((mask, [in_degrees.len(), out.len()]));
    masks
}

/// See the module documentation.
#[derive(Clone)]
pub struct Made {
    net: Trained<MadeNet>,
    masks: Vec<Tensor<2>>,
    components: usize,
    dim: usize,
    device: Device,
}

/// Each conditional's mixture: log-weights, means and log-scales, `[n, dim, K]` each.
struct Conditionals {
    log_weights: Tensor<3>,
    means: Tensor<3>,
    log_scales: Tensor<3>,
}

impl Made {
    /// The network's raw output, `[n, dim]` → `[n, dim · 3K]`, block `d` a function of `x_<d`.
    pub fn parameters_of(net: &MadeNet, masks: &[Tensor<2>], x: Tensor<2>) -> Tensor<2> {
        let last = net.layers.len() - 1;
        net.layers
            .iter()
            .zip(masks)
            .enumerate()
            .fold(x, |h, (i, (layer, mask))| {
                let weight = layer.weight.val() * mask.clone(); // [d_in, d_out]
                let bias = layer.bias.as_ref().map(|b| b.val().unsqueeze::<2>()); // [1, d_out]
                let out = bias.into_iter().fold(h.matmul(weight), |o, b| o + b);
                if i == last { out } else { silu(out) }
            })
    }

    fn conditionals(&self, net: &MadeNet, x: Tensor<2>) -> Conditionals {
        let n = x.dims()[0];
        let k = self.components;
        let out =
            Self::parameters_of(net, &self.masks, x).reshape([n, self.dim, PER_COMPONENT * k]);
        Conditionals {
            log_weights: log_softmax(out.clone().narrow(2, 0, k), 2),
            means: out.clone().narrow(2, k, k),
            log_scales: out.narrow(2, 2 * k, k).clamp(LOG_SCALE.0, LOG_SCALE.1),
        }
    }

    /// `log p(x_d | x_<d)` for every coordinate: `[n, dim]` → `[n, dim]`.
    fn conditional_log_densities(&self, net: &MadeNet, x: Tensor<2>) -> Tensor<2> {
        let [n, dim] = x.dims();
        let c = self.conditionals(net, x.clone());
        let z = (x.unsqueeze_dim::<3>(2) - c.means) / c.log_scales.clone().exp(); // [n, dim, K]
        let log_normal = z.powi_scalar(2) * -0.5 - c.log_scales - 0.5 * LOG_TWO_PI;
        log_sum_exp(c.log_weights + log_normal, 2).reshape([n, dim])
    }

    /// `log p(x_d | x_<d)` with the evaluation network: `[n, dim]` → `[n, dim]`.
    pub fn conditional_log_density(&self, x: Tensor<2>) -> Tensor<2> {
        self.conditional_log_densities(&self.net.module.valid(), x)
    }
}

impl Family for Made {
    type Config = MadeConfig;
    type Networks = MadeNet;
    const NAME: &'static str = "made";

    fn init(config: &Self::Config, training: &TrainingConfig, dim: usize, device: &Device) -> Self {
        let autodiff = device.clone().autodiff();
        let widths = vec![config.width; config.depth];
        let masks = autoregressive_masks(dim, &widths, PER_COMPONENT * config.components);
        let layers = masks
            .iter()
            .map(|(_, [d_in, d_out])| LinearConfig::new(*d_in, *d_out).init(&autodiff))
            .collect();
        let masks = masks
            .into_iter()
            .map(|(m, shape)| Tensor::from_data(TensorData::new(m, shape), device))
            .collect();
        Self {
            net: Trained::new(MadeNet { layers }, training.learning_rate),
            masks,
            components: config.components,
            dim,
            device: device.clone(),
        }
    }

    fn train_step(&mut self, data: &mut Batches) -> StepStats {
        let nll = self
            .conditional_log_densities(&self.net.module, data.next())
            .sum_dim(1)
            .mean()
            .neg(); // [1]
        self.net.step(&nll);
        StepStats(vec![("nll", nll.without_autodiff())])
    }

    fn networks(&self) -> MadeNet {
        self.net.module.clone()
    }

    fn set_networks(&mut self, networks: MadeNet) {
        self.net.module = networks;
    }

    /// Ancestral sampling: coordinate `d` from its mixture given the coordinates already drawn
    /// (the component by the Gumbel-max trick).
    fn sample(&self, n: usize) -> Tensor<2> {
        let net = self.net.module.valid();
        let k = self.components;
        let mut x = Tensor::<2>::zeros([n, self.dim], &self.device);
        for d in 0..self.dim {
            let c = self.conditionals(&net, x.clone());
            let pick = |t: Tensor<3>| t.narrow(1, d, 1).reshape([n, k]); // [n, K]
            let uniform =
                Tensor::<2>::random([n, k], Distribution::Uniform(1e-12, 1.0), &self.device);
            let gumbel = uniform.log().neg().log().neg();
            // Burn's one_hot validates the indices with a synchronous read, which WebGPU cannot do:
            // compare with the class indices instead.
            let index = (pick(c.log_weights) + gumbel).argmax(1).repeat_dim(1, k); // [n, K]
            let classes = Tensor::<1, Int>::arange(0..k as i64, &self.device)
                .reshape([1, k])
                .repeat_dim(0, n); // [n, K]
            let chosen = index.equal(classes).float(); // [n, K]
            let mean = (pick(c.means) * chosen.clone()).sum_dim(1); // [n, 1]
            let scale = (pick(c.log_scales) * chosen).sum_dim(1).exp();
            let eps = Tensor::random([n, 1], Distribution::Normal(0.0, 1.0), &self.device);
            x = x.slice_assign([0..n, d..d + 1], mean + scale * eps);
        }
        x
    }

    fn log_density(&self, x: Tensor<2>) -> Option<Tensor<1>> {
        Some(self.conditional_log_density(x).sum_dim(1).squeeze_dim(1))
    }

    fn log_density_method(&self) -> &'static str {
        "exact, product of the autoregressive conditionals"
    }

    fn views(&self) -> Vec<ViewInfo> {
        vec![
            ViewInfo {
                name: "log_density",
                units: ViewUnits::LogDensity,
                title: "Model log-density",
                description: "log p(x) = log p(x₁) + log p(x₂|x₁), exact",
                input: ViewInput::Grid,
                kind: ViewKind::Heatmap,
                parameter: None,
            },
            ViewInfo {
                name: "conditional",
                units: ViewUnits::LineDensity,
                title: "Conditional p(x₂ | x₁)",
                description: "the second coordinate's mixture density given the first, at the chosen x₁",
                input: ViewInput::Line,
                kind: ViewKind::Curve,
                parameter: Some(ViewParameter {
                    name: "x₁",
                    default: 0.0,
                    min: -4.0,
                    max: 4.0,
                }),
            },
        ]
    }

    fn view(&self, name: &str, points: Tensor<2>, _parameter: f32) -> Option<Tensor<2>> {
        match name {
            "log_density" => self.log_density(points).map(|l| l.unsqueeze_dim(1)),
            "conditional" => {
                let last = self.dim - 1;
                Some(
                    self.conditional_log_density(points)
                        .narrow(1, last, 1)
                        .exp(),
                )
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::math::input_gradient;

    #[test]
    fn each_output_block_depends_only_on_earlier_inputs() {
        let device = Device::flex();
        let _rng = crate::session::device_rng();
        device.seed(2);
        for dim in [2, 4] {
            let made = Made::init(
                &MadeConfig::new().with_width(16).with_components(3),
                &TrainingConfig::new(),
                dim,
                &device,
            );
            let x = Tensor::<2>::random([5, dim], Distribution::Normal(0.0, 1.0), &device);
            let block = PER_COMPONENT * 3;
            for d in 0..dim {
                let grad = input_gradient(x.clone(), |x| {
                    Made::parameters_of(&made.net.module, &made.masks, x)
                        .narrow(1, d * block, block)
                        .sum_dim(1)
                });
                let grad = grad.into_data().try_into_vec_as::<f32>().unwrap();
                for (i, g) in grad.iter().enumerate() {
                    let j = i % dim;
                    if j >= d {
                        assert_eq!(*g, 0.0, "block {d} depends on input {j} (dim {dim})");
                    }
                }
                if d > 0 {
                    assert!(
                        grad.iter().any(|g| *g != 0.0),
                        "block {d} ignores its inputs"
                    );
                }
            }
        }
    }

    #[test]
    fn the_density_integrates_to_one() {
        let device = Device::flex();
        let _rng = crate::session::device_rng();
        device.seed(4);
        let made = Made::init(
            &MadeConfig::new().with_width(32),
            &TrainingConfig::new(),
            2,
            &device,
        );
        let mass =
            crate::models::math::grid_mass(|x| made.log_density(x).unwrap(), 9e+00, 300, &device);
        assert!((mass - 1.0).abs() < 0.01, "∫p = {mass}");
    }
}
