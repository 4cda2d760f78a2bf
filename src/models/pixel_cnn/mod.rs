//! PixelCNN (van den Oord et al. 2016) on small grey-level images: `p(v) = Πᵢ p(vᵢ | v₍<ᵢ₎)` in
//! raster order, each conditional a softmax over the grey levels. Masked convolutions keep the
//! order: the first layer (type A) sees only pixels strictly before the centre, the later ones
//! (type B) also the centre, which by then carries only earlier pixels. The likelihood is exact;
//! sampling takes one network pass per pixel.
//!
//! As a [`Family`] it reads images as `[n, side²]` points in `[0, 1]`, grey level `v` at
//! `(v + u)/levels` (`u` uniform dequantisation noise, or ½), so its continuous density is
//! `P(v)·levels^(side²)`, exact.

mod views;

use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::prelude::*;
use burn::tensor::activation::{log_softmax, relu};
use burn::tensor::module::conv2d;
use burn::tensor::ops::ConvOptions;
use serde_json::{Map, Value, json};

use crate::data::DatasetSpec;
use crate::data::digits::ImageSet;
use crate::data::digits::LEVELS;
use crate::family::{Family, FamilyConfig, FamilyInput, StepStats, ViewInfo};
use crate::models::grey_levels::{gumbel_max, levels_of};
use crate::models::trained::Trained;
use crate::settings::{Setting, settings_object};
use crate::training::{Batches, TrainingConfig};

/// PixelCNN settings; their ranges and help texts are declared once, in [`FamilyConfig::settings`].
#[derive(Config, Debug)]
pub struct PixelCnnConfig {
    /// Feature channels of every hidden layer.
    #[config(default = 32)]
    pub channels: usize,
    /// Type-B masked 3×3 layers after the first, type-A 5×5 one.
    #[config(default = 4)]
    pub layers: usize,
}

impl FamilyConfig for PixelCnnConfig {
    fn defaults() -> Self {
        Self::new()
    }

    fn settings() -> Vec<Setting> {
        vec![
            Setting::integer(
                "channels",
                1,
                128,
                "Feature channels per masked convolution layer",
            ),
            Setting::integer(
                "layers",
                1,
                8,
                "Type-B masked 3×3 layers after the type-A 5×5 one",
            ),
        ]
    }

    fn default_dataset() -> DatasetSpec {
        DatasetSpec::Images(ImageSet::Digits)
    }

    fn image_defaults() -> Map<String, Value> {
        settings_object(json!({"learning_rate": 3e-3, "batch_size": 128}))
    }
}

/// Kernel side of the first (type A) layer and of the later (type B) ones.
const KERNEL_A: usize = 5;
const KERNEL_B: usize = 3;

/// The masked convolutional network: grey levels `[n, side²]` → logits `[n, levels, side, side]`.
#[derive(Module, Debug)]
pub struct PixelCnnNet {
    first: Conv2d,
    hidden: Vec<Conv2d>,
    output: Conv2d,
}

/// `[out, in, k, k]` ones where a `k × k` kernel may look: rows above the centre, and the centre
/// row left of the centre, plus the centre itself for type B.
fn raster_mask(
    channels_out: usize,
    channels_in: usize,
    k: usize,
    include_centre: bool,
    device: &Device,
) -> Tensor<4> {
    let c = k / 2;
    let cells: Vec<f32> = (0..k * k)
        .map(|cell| {
            let (row, column) = (cell / k, cell % k);
            let allowed = row < c || (row == c && (column < c || (include_centre && column == c)));
            if allowed { 1.0 } else { 0.0 }
        })
        .collect();
    Tensor::<1>::from_floats(cells.as_slice(), device)
        .reshape([1, 1, k, k])
        .repeat_dim(0, channels_out)
        .repeat_dim(1, channels_in)
}

/// A convolution with `mask` on its weights, zero-padded to keep the image size.
fn masked(layer: &Conv2d, x: Tensor<4>, mask: Tensor<4>) -> Tensor<4> {
    let k = layer.kernel_size[0];
    let options = ConvOptions::new([1, 1], [k / 2, k / 2], [1, 1], 1);
    conv2d(
        x,
        layer.weight.val() * mask,
        layer.bias.as_ref().map(|b| b.val()),
        options,
    )
}

impl PixelCnnNet {
    /// A network for `side × side` images with `levels` grey levels.
    pub fn new(levels: usize, channels: usize, layers: usize, device: &Device) -> Self {
        Self {
            first: Conv2dConfig::new([1, channels], [KERNEL_A, KERNEL_A]).init(device),
            hidden: (0..layers)
                .map(|_| Conv2dConfig::new([channels, channels], [KERNEL_B, KERNEL_B]).init(device))
                .collect(),
            output: Conv2dConfig::new([channels, levels], [1, 1]).init(device),
        }
    }
}

/// The raster masks of the convolutions and the image geometry: the part of the model that is
/// not trained.
#[derive(Clone, Debug)]
pub struct RasterMasks {
    /// The first layer's mask (type A: the centre pixel excluded).
    a: Tensor<4>,
    /// The later layers' mask (type B: the centre pixel included).
    b: Tensor<4>,
    side: usize,
    levels: usize,
}

/// The network with its masks and image geometry.
#[derive(Clone, Debug)]
pub struct PixelCnnModel {
    net: PixelCnnNet,
    masks: RasterMasks,
}

impl PixelCnnModel {
    /// A model of `side × side` images with `levels` grey levels on `device`.
    pub fn new(
        side: usize,
        levels: usize,
        channels: usize,
        layers: usize,
        device: &Device,
    ) -> Self {
        let plain = device.clone().inner();
        Self {
            net: PixelCnnNet::new(levels, channels, layers, device),
            masks: RasterMasks {
                a: raster_mask(channels, 1, KERNEL_A, false, &plain),
                b: raster_mask(channels, channels, KERNEL_B, true, &plain),
                side,
                levels,
            },
        }
    }

    /// The same model without autodiff (for sampling and evaluation).
    pub fn valid(&self) -> Self {
        Self {
            net: self.net.valid(),
            masks: self.masks.clone(),
        }
    }

    /// Logits of every pixel's conditional: grey levels `[n, side²]` → `[n, levels, side, side]`.
    pub fn logits(&self, v: Tensor<2>) -> Tensor<4> {
        let n = v.dims()[0];
        let scaled = v / (self.masks.levels - 1) as f32 - 0.5; // [n, side²] in [−½, ½]
        let x = scaled.reshape([n, 1, self.masks.side, self.masks.side]);
        let mut h = relu(masked(&self.net.first, x, self.masks.a.clone()));
        for layer in &self.net.hidden {
            h = relu(masked(layer, h.clone(), self.masks.b.clone())) + h; // [n, channels, side, side]
        }
        self.net.output.forward(h)
    }

    /// `log P(v)` in nats: grey levels `[n, side²]` → `[n]`.
    pub fn log_prob(&self, v: Tensor<2>) -> Tensor<1> {
        let n = v.dims()[0];
        let log_p = log_softmax(self.logits(v.clone()), 1); // [n, levels, side, side]
        let classes: Vec<f32> = (0..self.masks.levels).map(|l| l as f32).collect();
        let classes = Tensor::<1>::from_floats(classes.as_slice(), &v.device()).reshape([
            1,
            self.masks.levels,
            1,
            1,
        ]);
        let chosen = (v.reshape([n, 1, self.masks.side, self.masks.side]) - classes)
            .abs()
            .lower_elem(0.5)
            .float(); // [n, levels, side, side], one-hot without an index check
        (log_p * chosen)
            .sum_dim(3)
            .sum_dim(2)
            .sum_dim(1)
            .reshape([n])
    }

    /// `n` images drawn pixel by pixel, grey levels `[n, side²]`; pixels before `start` are kept
    /// from `given` (a completion), the others drawn by Gumbel-max from their conditionals.
    pub fn sample_from(&self, given: Tensor<2>, start: usize) -> Tensor<2> {
        self.sample_chain(given, start)
            .pop()
            .expect("the chain holds at least its start")
    }

    /// [`PixelCnnModel::sample_from`] with every intermediate state: the images before pixel
    /// `start` is drawn, then after each pixel, `side² − start + 1` states `[n, side²]` (pixels
    /// not drawn yet are 0).
    pub fn sample_chain(&self, given: Tensor<2>, start: usize) -> Vec<Tensor<2>> {
        let [n, pixels] = given.dims();
        let device = given.device();
        let keep: Vec<f32> = (0..pixels)
            .map(|p| if p < start { 1.0 } else { 0.0 })
            .collect();
        let mut v = given * Tensor::<1>::from_floats(keep.as_slice(), &device).unsqueeze::<2>();
        let mut chain = vec![v.clone()];
        for pixel in start..pixels {
            let logits = self
                .logits(v.clone())
                .reshape([n, self.masks.levels, pixels])
                .slice([0..n, 0..self.masks.levels, pixel..pixel + 1])
                .reshape([n, self.masks.levels]);
            let level = gumbel_max(logits); // [n, 1]
            let mut at = vec![0.0f32; pixels];
            at[pixel] = 1.0;
            v = v + level * Tensor::<1>::from_floats(at.as_slice(), &device).unsqueeze::<2>();
            chain.push(v.clone());
        }
        chain
    }
}

/// See the module documentation.
#[derive(Clone)]
pub struct PixelCnn {
    net: Trained<PixelCnnNet>,
    masks: RasterMasks,
    device: Device,
}

impl PixelCnn {
    /// Grey levels of points in `[0, 1]`: `⌊x·levels⌋`, clamped.
    fn levels_of(&self, x: Tensor<2>) -> Tensor<2> {
        levels_of(x, self.masks.levels)
    }

    /// The model: the trained network with its masks (for views and image metrics).
    pub fn model(&self) -> PixelCnnModel {
        PixelCnnModel {
            net: self.net.module.clone(),
            masks: self.masks.clone(),
        }
    }
}

impl Family for PixelCnn {
    type Config = PixelCnnConfig;
    type Networks = PixelCnnNet;
    const NAME: &'static str = "pixel_cnn";
    const INPUT: FamilyInput = FamilyInput::Images;

    /// `dim` must be a square (`side²` pixels); grey levels are the digits' 17.
    fn init(config: &Self::Config, training: &TrainingConfig, dim: usize, device: &Device) -> Self {
        let side = (dim as f64).sqrt().round() as usize;
        assert_eq!(side * side, dim, "PixelCNN needs square images");
        let model = PixelCnnModel::new(
            side,
            LEVELS,
            config.channels,
            config.layers,
            &device.clone().autodiff(),
        );
        Self {
            net: Trained::new(model.net, training.learning_rate),
            masks: model.masks,
            device: device.clone(),
        }
    }

    fn train_step(&mut self, data: &mut Batches) -> StepStats {
        let v = self.levels_of(data.next()); // [batch, side²]
        let pixels = v.dims()[1];
        let nll = self.model().log_prob(v).mean().neg();
        self.net.step(&nll);
        let nll = nll.without_autodiff();
        let bits = nll.clone() / (pixels as f32 * std::f32::consts::LN_2);
        StepStats(vec![("nll", nll), ("bits_per_dim", bits)])
    }

    fn networks(&self) -> PixelCnnNet {
        self.net.module.clone()
    }

    fn set_networks(&mut self, networks: PixelCnnNet) {
        self.net.module = networks;
    }

    /// Images at the centres of their grey-level cells, `(v + ½)/levels`.
    fn sample(&self, n: usize) -> Tensor<2> {
        let pixels = self.masks.side * self.masks.side;
        let valid = self.model().valid();
        let v = valid.sample_from(Tensor::zeros([n, pixels], &self.device), 0);
        (v + 0.5) / self.masks.levels as f32
    }

    /// `log P(v) + side²·ln(levels)`: the exact density of the dequantised points.
    fn log_density(&self, x: Tensor<2>) -> Option<Tensor<1>> {
        let pixels = x.dims()[1];
        let v = self.levels_of(x);
        let valid = self.model().valid();
        Some(valid.log_prob(v) + pixels as f32 * (self.masks.levels as f32).ln())
    }

    fn log_density_method(&self) -> &'static str {
        "exact: the product of the per-pixel softmax conditionals, times levels per pixel for \
         the dequantised points"
    }

    fn views(&self) -> Vec<ViewInfo> {
        views::views(self.masks.side * self.masks.side)
    }

    fn view(&self, name: &str, points: Tensor<2>, _parameter: f32) -> Option<Tensor<2>> {
        match name {
            "pixel_by_pixel" => Some(self.pixel_by_pixel()),
            "completion" => Some(self.completion(points)),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::math::input_gradient;
    use burn::tensor::{Distribution, TensorData};

    fn values<const D: usize>(t: Tensor<D>) -> Vec<f32> {
        t.into_data().try_into_vec_as::<f32>().unwrap()
    }

    #[test]
    fn each_conditional_depends_only_on_earlier_pixels() {
        let device = Device::flex();
        let _rng = crate::session::device_rng();
        device.seed(1);
        let (side, levels) = (4, 3);
        let model = PixelCnnModel::new(side, levels, 6, 2, &device.clone().autodiff());
        let v =
            Tensor::<2>::random([3, side * side], Distribution::Uniform(0.0, 3.0), &device).floor();
        for pixel in 0..side * side {
            let gradient = values(input_gradient(v.clone(), |v| {
                let n = v.dims()[0];
                model
                    .logits(v)
                    .reshape([n, levels, side * side])
                    .slice([0..n, 0..levels, pixel..pixel + 1])
                    .reshape([n, levels])
            }));
            for (k, g) in gradient.iter().enumerate() {
                let j = k % (side * side);
                if j >= pixel {
                    assert_eq!(*g, 0.0, "pixel {pixel} depends on pixel {j}");
                }
            }
            if pixel > 0 {
                let left = pixel - 1;
                let reaches_left = (0..3).any(|n| gradient[n * side * side + left] != 0.0);
                assert!(
                    reaches_left || pixel % side == 0,
                    "pixel {pixel} ignores pixel {left}"
                );
            }
        }
    }

    #[test]
    fn the_likelihood_is_a_distribution_over_all_images() {
        // 2×2 images with 3 levels: all 81 of them, whose probabilities must sum to 1.
        let device = Device::flex();
        let _rng = crate::session::device_rng();
        device.seed(2);
        let model = PixelCnnModel::new(2, 3, 5, 1, &device);
        let images: Vec<f32> = (0..81)
            .flat_map(|i| (0..4).map(move |p| ((i / 3usize.pow(p)) % 3) as f32))
            .collect();
        let v = Tensor::<2>::from_data(TensorData::new(images, [81, 4]), &device);
        let total: f64 = values(model.log_prob(v))
            .iter()
            .map(|l| (*l as f64).exp())
            .sum();
        assert!((total - 1.0).abs() < 1e-4, "Σ P = {total}");
    }

    #[test]
    fn samples_are_grey_levels_and_a_completion_keeps_the_given_pixels() {
        let device = Device::flex();
        let _rng = crate::session::device_rng();
        device.seed(3);
        let model = PixelCnnModel::new(3, 4, 4, 1, &device);
        let given = Tensor::<2>::from_data(TensorData::new(vec![3.0f32; 2 * 9], [2, 9]), &device);
        let drawn = values(model.sample_from(given, 4));
        for (k, v) in drawn.iter().enumerate() {
            assert!(v.fract() == 0.0 && (0.0..4.0).contains(v), "{v}");
            if k % 9 < 4 {
                assert_eq!(*v, 3.0, "given pixel {k} kept");
            }
        }
    }
}
