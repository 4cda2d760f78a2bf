//! One JavaScript class per model family, all with the same shape (see `www/src/genlab.ts`).

use js_sys::Promise;
use wasm_bindgen::prelude::*;

use super::convert::count;
use super::lab::Lab;
use crate::models::{
    autoencoder, diffusion, ebm, flow_matching, gan, made, ncsn, pixel_cnn, real_nvp, score_sde,
    vae,
};

/// Declares a family's JavaScript class: `create(options)`, `train(steps)`, `sample(n)`,
/// `evaluate(n)`, `options()`, `backend()`, `step()` and the generated `free()`.
macro_rules! family_class {
    ($(#[$doc:meta])* $class:ident, $family:ty, $options:literal) => {
        $(#[$doc])*
        #[wasm_bindgen]
        pub struct $class {
            lab: Lab<$family>,
        }

        #[wasm_bindgen]
        impl $class {
            /// Validates `options` (missing fields take their defaults) and builds the model
            /// on the backend chosen by `initBackend` (automatic if it was not called).
            pub async fn create(
                #[wasm_bindgen(unchecked_param_type = $options)] options: JsValue,
            ) -> Result<$class, JsValue> {
                Ok(Self { lab: Lab::create(options).await? })
            }

            /// Trains `steps` steps (a whole number, 1 … 100 000) and resolves to their
            /// averaged statistics. A long call trains in slices of about 50 ms, yielding to the
            /// page between them; `options.signal` (an `AbortSignal`) stops it after the current
            /// slice, resolving with the steps trained so far and `cancelled: true`.
            #[wasm_bindgen(unchecked_return_type = "Promise<TrainReport>")]
            pub fn train(
                &self,
                #[wasm_bindgen(unchecked_param_type = "number")] steps: JsValue,
                #[wasm_bindgen(unchecked_param_type = "TrainOptions")] options: Option<js_sys::Object>,
            ) -> Promise {
                self.lab.train(steps, options)
            }

            /// Resolves to `n` model samples (a whole number, 1 … 65 536), row-major `[n, dim]`.
            #[wasm_bindgen(unchecked_return_type = "Promise<Float32Array>")]
            pub fn sample(&self, #[wasm_bindgen(unchecked_param_type = "number")] n: JsValue) -> Promise {
                self.lab.sample(n)
            }

            /// Resolves to `n` model samples (16 … 16 384; images 1 024), as many fresh data
            /// samples and the divergence panel.
            #[wasm_bindgen(unchecked_return_type = "Promise<Evaluation>")]
            pub fn evaluate(&self, #[wasm_bindgen(unchecked_param_type = "number")] n: JsValue) -> Promise {
                self.lab.evaluate(n)
            }

            /// Every option of this lab, defaults filled in.
            #[wasm_bindgen(unchecked_return_type = $options)]
            pub fn options(&self) -> Result<JsValue, JsValue> {
                self.lab.options()
            }

            /// The backend this lab runs on, and why.
            #[wasm_bindgen(unchecked_return_type = "BackendInfo")]
            pub fn backend(&self) -> Result<JsValue, JsValue> {
                self.lab.backend()
            }

            /// Steps trained so far.
            pub fn step(&self) -> Result<f64, JsValue> {
                self.lab.step()
            }

            /// What the lab trains on, e.g. `"moons"` or `"your 120 points"`.
            #[wasm_bindgen(js_name = dataName)]
            pub fn data_name(&self) -> Result<String, JsValue> {
                self.lab.data_name()
            }

            /// The family's own views and how to ask for them.
            #[wasm_bindgen(unchecked_return_type = "ViewInfo[]")]
            pub fn views(&self) -> Result<JsValue, JsValue> {
                self.lab.views()
            }

            /// Computes view `name` at `points` (row-major `[n, 2]`; empty for state views).
            #[wasm_bindgen(unchecked_return_type = "Promise<ViewData>")]
            pub fn view(&self, name: String, points: Vec<f32>, parameter: f32) -> Promise {
                self.lab.view(name, points, parameter)
            }

            /// The family's fine-grained steps (e.g. one discriminator step).
            #[wasm_bindgen(unchecked_return_type = "ActionInfo[]")]
            pub fn actions(&self) -> Result<JsValue, JsValue> {
                self.lab.actions()
            }

            /// Runs fine-grained step `name` once; resolves to its statistics.
            #[wasm_bindgen(unchecked_return_type = "Promise<TrainReport>")]
            pub fn act(&self, name: String) -> Promise {
                self.lab.act(name)
            }

            /// Resolves to the current weights as a file (`GENLABW1` + JSON header + f32s).
            #[wasm_bindgen(js_name = exportWeights, unchecked_return_type = "Promise<Uint8Array>")]
            pub fn export_weights(&self) -> Promise {
                self.lab.export_weights()
            }

            /// Loads a weights file saved from a lab with the same options; returns its step.
            #[wasm_bindgen(js_name = importWeights)]
            pub fn import_weights(&self, bytes: &[u8]) -> Result<f64, JsValue> {
                self.lab.import_weights(bytes)
            }

            /// Changes sampling settings (e.g. `{ sampler: "ddim", ddim_steps: 10 }`) of the
            /// trained model without retraining; other fields reject by name.
            #[wasm_bindgen(js_name = setSampling, unchecked_return_type = $options)]
            pub fn set_sampling(&self, patch: JsValue) -> Result<JsValue, JsValue> {
                self.lab.set_sampling(patch)
            }
        }
    };
}

family_class!(
    /// Flow matching on the linear path from N(0, I) to the data (`FlowMatchingOptions`).
    FlowMatching,
    flow_matching::FlowMatching,
    "FlowMatchingOptions"
);

family_class!(
    /// A deterministic autoencoder, whose decoded prior samples are not data (`AutoencoderOptions`).
    Autoencoder,
    autoencoder::Autoencoder,
    "AutoencoderOptions"
);

family_class!(
    /// A Gaussian VAE with β-weighted ELBO and an IWAE log-likelihood (`VaeOptions`).
    Vae,
    vae::Vae,
    "VaeOptions"
);

family_class!(
    /// A GAN with a choice of objectives (`GanOptions`).
    Gan,
    gan::Gan,
    "GanOptions"
);

#[wasm_bindgen]
impl Gan {
    /// Resolves to the optimal discriminator `D* = p/(p + q)` on a `resolution²` grid over the
    /// data bounds, `q` a KDE of `n` fresh generator samples and `p` the data smoothed by the
    /// same kernel (row-major, lowest y first).
    #[wasm_bindgen(js_name = optimalDiscriminator, unchecked_return_type = "Promise<Float64Array>")]
    pub fn optimal_discriminator(
        &self,
        #[wasm_bindgen(unchecked_param_type = "number")] n: JsValue,
        #[wasm_bindgen(unchecked_param_type = "number")] resolution: JsValue,
    ) -> Promise {
        self.lab.optimal_discriminator(n, resolution)
    }
}

family_class!(
    /// MADE: an autoregressive mixture-of-Gaussians density (`MadeOptions`).
    Made,
    made::Made,
    "MadeOptions"
);

family_class!(
    /// A RealNVP normalizing flow (`RealNvpOptions`).
    RealNvp,
    real_nvp::RealNvp,
    "RealNvpOptions"
);

family_class!(
    /// An energy-based model with persistent Langevin chains (`EbmOptions`).
    Ebm,
    ebm::Ebm,
    "EbmOptions"
);

family_class!(
    /// A noise-conditional score network with annealed Langevin sampling (`NcsnOptions`).
    Ncsn,
    ncsn::Ncsn,
    "NcsnOptions"
);

family_class!(
    /// DDPM with DDIM sampling from the same network (`DiffusionOptions`).
    Diffusion,
    diffusion::Diffusion,
    "DiffusionOptions"
);

family_class!(
    /// PixelCNN on the 8×8 digits: masked convolutions, exact likelihood (`PixelCnnOptions`).
    PixelCnn,
    pixel_cnn::PixelCnn,
    "PixelCnnOptions"
);

family_class!(
    /// Score-based modelling with VP or VE SDEs (`ScoreSdeOptions`).
    ScoreSde,
    score_sde::ScoreSde,
    "ScoreSdeOptions"
);

#[wasm_bindgen]
impl FlowMatching {
    /// Rectified flow's reflow: from now on trains on 8 192 couplings `(z, ODE(z))` of the
    /// current model, which straightens its paths. Resolves to the number of reflows so far.
    pub fn reflow(&self) -> Result<f64, JsValue> {
        self.lab.with_session(|session| {
            session.update_family(|family| family.reflow());
            Ok(session.family().reflows() as f64)
        })
    }

    /// Resolves to the straightness `∫E‖(x₁ − x₀) − v(x_t, t)‖² dt` of the learned ODE's
    /// paths from `n` noise points (16 … 16 384; 0 for straight paths).
    #[wasm_bindgen(unchecked_return_type = "Promise<number>")]
    pub fn straightness(
        &self,
        #[wasm_bindgen(unchecked_param_type = "number")] n: JsValue,
    ) -> Promise {
        match count("n", &n, 16, 1 << 14) {
            Ok(n) => self.lab.scalar(move |session| {
                session.with_seeded_family(|family| family.straightness(n as usize))
            }),
            Err(error) => Promise::reject(&error),
        }
    }
}

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = r#"
/** Keep in sync with `src/data/toy.rs`. */
export type DatasetName =
  | "eight_gaussians" | "swiss_roll" | "circles" | "rings" | "moons" | "pinwheel" | "two_spirals" | "checkerboard";
/** Keep in sync with `src/device.rs`. */
export interface BackendInfo { backend: "cpu" | "webgpu"; adapter: string | null; reason: string }
export interface Bounds { x_min: number; x_max: number; y_min: number; y_max: number }
/** Keep in sync with `src/data/source.rs`. */
export type CustomDataset =
  | { kind: "mixture"; weights: number[]; means: [number, number][]; covariances: [number, number, number, number][] }
  | { kind: "points"; csv: string };
/** The shipped image sets (learned by vae, gan, diffusion and pixel_cnn). */
export type ImageSetName = "digits";
export type DatasetSpec = DatasetName | ImageSetName | CustomDataset;
export type Exactness = "exact" | "numerical" | "unavailable";
export interface DatasetInfo {
  name: DatasetName; dim: number; bounds: Bounds;
  reference: { density: Exactness; score: Exactness; method: string };
}
/** Keep in sync with `TrainingConfig` in `src/session.rs`. */
export interface TrainingOptions {
  dataset?: DatasetSpec; seed?: number; batch_size?: number; learning_rate?: number;
}
/** Keep in sync with `FlowMatchingConfig` in `src/models/flow_matching.rs`. */
export interface FlowMatchingOptions extends TrainingOptions {
  width?: number; depth?: number; solver?: "euler" | "midpoint" | "rk4"; sample_steps?: number;
  coupling?: "independent" | "minibatch_ot";
}
/** Keep in sync with `src/models/autoencoder.rs`. */
export interface AutoencoderOptions extends TrainingOptions { width?: number; depth?: number; latent_dim?: number }
/** Keep in sync with `src/models/vae.rs`. */
export interface VaeOptions extends TrainingOptions {
  width?: number; depth?: number; latent_dim?: number; beta?: number; iwae_samples?: number;
}
/** Keep in sync with `src/models/gan.rs`. */
export interface GanOptions extends TrainingOptions {
  width?: number; depth?: number; latent_dim?: number; d_steps?: number;
  loss?: "minimax" | "non_saturating" | "least_squares" | "wgan_gp" | "hinge";
}
/** Keep in sync with `src/models/made.rs`. */
export interface MadeOptions extends TrainingOptions { width?: number; depth?: number; components?: number }
/** Keep in sync with `src/models/real_nvp.rs`. */
export interface RealNvpOptions extends TrainingOptions { layers?: number; width?: number; depth?: number }
/** Keep in sync with `src/models/ebm.rs`. */
export interface EbmOptions extends TrainingOptions {
  width?: number; depth?: number; langevin_steps?: number; step_size?: number; noise?: number;
  sample_steps?: number; energy_penalty?: number;
}
/** Keep in sync with `src/models/ncsn.rs`. */
export interface NcsnOptions extends TrainingOptions {
  width?: number; depth?: number; sigma_max?: number; sigma_min?: number; levels?: number;
  steps_per_level?: number; step_size?: number;
}
/** Keep in sync with `src/models/diffusion.rs`. */
export interface DiffusionOptions extends TrainingOptions {
  width?: number; depth?: number; diffusion_steps?: number; schedule?: "linear" | "cosine";
  beta_start?: number; beta_end?: number; sampler?: "ddpm" | "ddim"; ddim_steps?: number; eta?: number;
}
/** Keep in sync with `src/models/pixel_cnn/mod.rs`. */
export interface PixelCnnOptions extends TrainingOptions { channels?: number; layers?: number }
/** Keep in sync with `src/models/score_sde.rs`. */
export interface ScoreSdeOptions extends TrainingOptions {
  width?: number; depth?: number; sde?: "vp" | "ve"; beta_min?: number; beta_max?: number;
  sigma_min?: number; sigma_max?: number; sampler?: "reverse_sde" | "probability_flow";
  sample_steps?: number; likelihood_steps?: number;
}
/** Keep in sync with `src/family.rs`. */
export interface ViewInfo {
  name: string; title: string; description: string;
  input: "grid" | "data" | "line" | "state";
  kind: "heatmap" | "probability" | "field" | "points" | "curve" | "stages" | "images";
  parameter: { name: string; default: number; min: number; max: number } | null;
}
export interface ActionInfo { name: string; title: string; description: string; trains: boolean }
export interface WeightsInfo {
  family: string; options: Record<string, unknown>; step: number; shapes: number[][];
  /** The data's map to the model's coordinates (`x = centre + scale·z`); null in older files. */
  standardisation: { centre: [number, number]; scale: number } | null;
}
export interface DensityMaps {
  resolution: number; model: Float64Array; data: Float64Array; model_method: string; data_method: string;
}
export interface ViewData { values: Float32Array; rows: number; columns: number; truth: Float32Array | null }
/** `steps` trained by the call, `step` the lab's total; `cancelled` if its signal stopped it. */
export interface TrainReport { step: number; steps: number; stats: Record<string, number>; cancelled: boolean }
/** Options of a `train` call: an `AbortSignal` stops a long call after its current slice. */
export interface TrainOptions { signal?: AbortSignal }
export interface Estimate {
  name: string; value: number; units: string; direction: string; estimator: string;
  model_samples: number; data_samples: number; noise_floor: NoiseFloor | null;
}
/** An estimate between independent data samples, over `draws` draws: its mean and the 95 %
 *  prediction bound `upper` for one more draw (values at or below it are indistinguishable
 *  from the data). */
export interface NoiseFloor { mean: number; upper: number; draws: number }
export interface ImageShape { side: number; levels: number }
/** Options of `compareSamples`: the seed of the data draws. */
export interface CompareOptions { seed?: number }
/** `compareSamples`' panel, and the data samples it compared with. */
export interface Comparison { divergences: Estimate[]; data: Float32Array; bounds: Bounds }
export interface Memorisation { model: Float64Array; held_out: Float64Array; description: string }
export interface Evaluation {
  samples: Float32Array; data: Float32Array; divergences: Estimate[]; bounds: Bounds; step: number;
  densities: DensityMaps | null; images: ImageShape | null; memorisation: Memorisation | null;
}
"#;
