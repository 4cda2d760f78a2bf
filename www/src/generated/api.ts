// Generated from the Rust schema (`src/schema/`, each family's `settings()`) by
// `cargo run --example typescript`. Do not edit: `tests/generated_typescript.rs` fails when
// this file and the schema differ.

/** A 2-D dataset's name. */
export type DatasetName = "eight_gaussians" | "swiss_roll" | "circles" | "rings" | "moons" | "pinwheel" | "two_spirals" | "checkerboard";
/** An image dataset's name. */
export type ImageSetName = "digits";
/** A data source given by its parameters or points (validated in Rust). */
export type CustomDataset =
  | { kind: "mixture"; weights: number[]; means: [number, number][]; covariances: [number, number, number, number][] }
  | { kind: "points"; csv: string };
/** Any dataset known by name: the 2-D sets and the image sets. */
export type NamedDataset = DatasetName | ImageSetName;
/** A dataset name or a custom data source. */
export type DatasetSpec = NamedDataset | CustomDataset;
/** A family's name, as in options, URLs and notebooks. */
export type FamilyName = "autoencoder" | "vae" | "gan" | "made" | "pixel_rnn" | "pixel_cnn" | "image_gpt" | "independent_pixels" | "vq_vae" | "real_nvp" | "ebm" | "ncsn" | "diffusion" | "conditional_diffusion" | "score_sde" | "flow_matching";
/** A family's JavaScript class. */
export type FamilyClassName = "Autoencoder" | "Vae" | "Gan" | "Made" | "PixelRnn" | "PixelCnn" | "ImageGpt" | "IndependentPixels" | "VqVae" | "RealNvp" | "Ebm" | "Ncsn" | "Diffusion" | "ConditionalDiffusion" | "ScoreSde" | "FlowMatching";

/** Settings every family shares. */
export interface TrainingOptions {
  /** The data to learn: a dataset's name or a custom set. */
  dataset?: DatasetSpec;
  /** Seed of the data, weights and noise (whole, 0 … 9007199254740992; default 0). */
  seed?: number;
  /** Adam learning rate (0.000001 … 1; default 0.001). */
  learning_rate?: number;
  /** Points per training batch (whole, 1 … 8192; default 512). */
  batch_size?: number;
}
/** The settings of `Autoencoder`. */
export interface AutoencoderOptions extends TrainingOptions {
  /** Dimension of the code z (whole, 1 … 8; default 2). */
  latent_dim?: number;
  /** Units per hidden layer of the encoder and of the decoder (whole, 1 … 1024; default 128). */
  width?: number;
  /** Hidden layers of the encoder and of the decoder (whole, 1 … 8; default 3). */
  depth?: number;
}
/** The settings of `Vae`. */
export interface VaeOptions extends TrainingOptions {
  /** Dimension of the latent z (whole, 1 … 8; default 2). */
  latent_dim?: number;
  /** Weight β of the KL term (1 is the ELBO) (0 … 10; default 1.0). */
  beta?: number;
  /** Importance samples K of the IWAE density (whole, 1 … 256; default 32). */
  iwae_samples?: number;
  /** Units per hidden layer of the encoder and of the decoder (whole, 1 … 1024; default 128). */
  width?: number;
  /** Hidden layers of the encoder and of the decoder (whole, 1 … 8; default 3). */
  depth?: number;
}
/** The settings of `Gan`. */
export interface GanOptions extends TrainingOptions {
  /** The GAN objective (default "non_saturating"). */
  loss?: "non_saturating" | "minimax" | "least_squares" | "wgan_gp" | "hinge";
  /** Discriminator steps per generator step (whole, 1 … 10; default 1). */
  d_steps?: number;
  /** Dimension of the generator's input noise (whole, 1 … 16; default 2). */
  latent_dim?: number;
  /** Units per hidden layer of both networks (whole, 1 … 1024; default 128). */
  width?: number;
  /** Hidden layers of both networks (whole, 1 … 8; default 3). */
  depth?: number;
}
/** The settings of `Made`. */
export interface MadeOptions extends TrainingOptions {
  /** Gaussians per autoregressive conditional (whole, 1 … 32; default 8). */
  components?: number;
  /** Units per hidden layer (whole, 1 … 1024; default 128). */
  width?: number;
  /** Hidden layers (whole, 1 … 8; default 2). */
  depth?: number;
}
/** The settings of `PixelRnn`. */
export interface PixelRnnOptions extends TrainingOptions {
  /** Units of the LSTM's state, which carries every pixel read so far (whole, 4 … 256; default 64). */
  hidden?: number;
}
/** The settings of `PixelCnn`. */
export interface PixelCnnOptions extends TrainingOptions {
  /** Feature channels per masked convolution layer (whole, 1 … 128; default 32). */
  channels?: number;
  /** Type-B masked 3×3 layers after the type-A 5×5 one (whole, 1 … 8; default 4). */
  layers?: number;
}
/** The settings of `ImageGpt`. */
export interface ImageGptOptions extends TrainingOptions {
  /** Width of the token and position embeddings and of every block (whole, 4 … 128; default 32). */
  width?: number;
  /** Attention heads per block; each reads a width/heads slice (whole, 1 … 8; default 2). */
  heads?: number;
  /** Transformer blocks (causal self-attention, then an MLP) (whole, 1 … 6; default 2). */
  layers?: number;
  /** Start each sequence with its digit's label token (dropped for a tenth of the images), so samples can be asked for a digit (default false). */
  conditional?: boolean;
  /** The digit samples are asked for (any: the unconditional model) (default "any"; sampling only). */
  digit?: "any" | "0" | "1" | "2" | "3" | "4" | "5" | "6" | "7" | "8" | "9";
}
/** The settings of `IndependentPixels`. */
export interface IndependentPixelsOptions extends TrainingOptions {
}
/** The settings of `VqVae`. */
export interface VqVaeOptions extends TrainingOptions {
  /** Codebook entries: the symbols of the code grid (whole, 2 … 128; default 16). */
  codes?: number;
  /** Length of each codebook vector (whole, 1 … 64; default 8). */
  code_dim?: number;
  /** Feature channels of the encoder and decoder (whole, 1 … 128; default 32). */
  channels?: number;
  /** β: how strongly the encoder's outputs are pulled to their codebook entries (0 … 10; default 0.25). */
  commitment?: number;
  /** Transformer blocks of the prior over the 4×4 code grid (whole, 1 … 6; default 2). */
  prior_layers?: number;
}
/** The settings of `RealNvp`. */
export interface RealNvpOptions extends TrainingOptions {
  /** Coupling layers of the flow (whole, 1 … 32; default 8). */
  layers?: number;
  /** Units per hidden layer of each coupling's network (whole, 1 … 1024; default 64). */
  width?: number;
  /** Hidden layers of each coupling's network (whole, 1 … 8; default 2). */
  depth?: number;
}
/** The settings of `Ebm`. */
export interface EbmOptions extends TrainingOptions {
  /** Langevin steps per training step (whole, 1 … 200; default 20). */
  langevin_steps?: number;
  /** Langevin step size ε (0.00001 … 1; default 0.01). */
  step_size?: number;
  /** Langevin noise multiplier (1 is exact Langevin) (0 … 1; default 1.0). */
  noise?: number;
  /** Langevin steps from exact grid draws when sampling (whole, 0 … 1000; default 20; sampling only). */
  sample_steps?: number;
  /** Weight α of the energy-magnitude penalty (0 … 10; default 0.1). */
  energy_penalty?: number;
  /** Units per hidden layer of the energy network (whole, 1 … 1024; default 128). */
  width?: number;
  /** Hidden layers of the energy network (whole, 1 … 8; default 3). */
  depth?: number;
}
/** The settings of `Ncsn`. */
export interface NcsnOptions extends TrainingOptions {
  /** Largest noise level σ_max (0.0001 … 100; default 3.0). */
  sigma_max?: number;
  /** Smallest noise level σ_min (below σ_max) (0.0001 … 100; default 0.05). */
  sigma_min?: number;
  /** Noise levels of the geometric ladder (whole, 2 … 100; default 10). */
  levels?: number;
  /** Langevin steps per noise level (whole, 1 … 1000; default 20; sampling only). */
  steps_per_level?: number;
  /** Langevin step size ε at the smallest level (0.00000001 … 1; default 0.0005; sampling only). */
  step_size?: number;
  /** Units per hidden layer of the score network (whole, 1 … 1024; default 128). */
  width?: number;
  /** Hidden layers of the score network (whole, 1 … 8; default 3). */
  depth?: number;
}
/** The settings of `Diffusion`. */
export interface DiffusionOptions extends TrainingOptions {
  /** Diffusion steps T (whole, 2 … 1000; default 100). */
  diffusion_steps?: number;
  /** The β schedule (default "linear"). */
  schedule?: "linear" | "cosine";
  /** Linear schedule: β₁ as for 1000 steps (below beta_end) (0.00000001 … 0.999; default 0.0001). */
  beta_start?: number;
  /** Linear schedule: β_T as for 1000 steps (0.00000001 … 0.999; default 0.02). */
  beta_end?: number;
  /** How samples are drawn (changing it keeps the trained model) (default "ddpm"; sampling only). */
  sampler?: "ddpm" | "ddim";
  /** DDIM steps (at most T) (whole, 1 … 1000; default 20; sampling only). */
  ddim_steps?: number;
  /** DDIM stochasticity η (0 is deterministic) (0 … 1; default 0.0; sampling only). */
  eta?: number;
  /** Units per hidden layer of the noise predictor (whole, 1 … 1024; default 128). */
  width?: number;
  /** Hidden layers of the noise predictor (whole, 1 … 8; default 3). */
  depth?: number;
}
/** The settings of `ConditionalDiffusion`. */
export interface ConditionalDiffusionOptions extends TrainingOptions {
  /** Diffusion steps T (whole, 2 … 1000; default 100). */
  diffusion_steps?: number;
  /** The digit samples are asked for (any: the unconditional model) (default "any"; sampling only). */
  digit?: "any" | "0" | "1" | "2" | "3" | "4" | "5" | "6" | "7" | "8" | "9";
  /** Classifier-free guidance scale w: 0 is the conditional model; larger w, clearer digits and less variety (0 … 20; default 1.0; sampling only). */
  guidance?: number;
  /** How samples are drawn (default "ddim"; sampling only). */
  sampler?: "ddpm" | "ddim";
  /** DDIM steps (at most T) (whole, 1 … 1000; default 20; sampling only). */
  ddim_steps?: number;
  /** Units per hidden layer of the noise predictor (whole, 1 … 1024; default 256). */
  width?: number;
  /** Hidden layers of the noise predictor (whole, 1 … 8; default 3). */
  depth?: number;
}
/** The settings of `ScoreSde`. */
export interface ScoreSdeOptions extends TrainingOptions {
  /** Variance preserving or variance exploding SDE (default "vp"). */
  sde?: "vp" | "ve";
  /** How samples are drawn (changing it keeps the trained model) (default "reverse_sde"; sampling only). */
  sampler?: "reverse_sde" | "probability_flow";
  /** Steps of the sampler (whole, 1 … 2000; default 200; sampling only). */
  sample_steps?: number;
  /** Midpoint steps of the likelihood ODE (whole, 1 … 1000; default 16; sampling only). */
  likelihood_steps?: number;
  /** VP SDE: β(0) (below β(1)) (0.001 … 100; default 0.1). */
  beta_min?: number;
  /** VP SDE: β(1) (0.001 … 100; default 20.0). */
  beta_max?: number;
  /** VE SDE: σ(0) (below σ(1)) (0.0001 … 100; default 0.01). */
  sigma_min?: number;
  /** VE SDE: σ(1) (0.0001 … 100; default 5.0). */
  sigma_max?: number;
  /** Units per hidden layer of the score network (whole, 1 … 1024; default 128). */
  width?: number;
  /** Hidden layers of the score network (whole, 1 … 8; default 3). */
  depth?: number;
}
/** The settings of `FlowMatching`. */
export interface FlowMatchingOptions extends TrainingOptions {
  /** How noise and data are paired: independently, or by the batch's optimal transport plan (default "independent"). */
  coupling?: "independent" | "minibatch_ot";
  /** ODE solver used to sample (default "midpoint"; sampling only). */
  solver?: "euler" | "midpoint" | "rk4";
  /** Solver steps from t = 0 to t = 1 (whole, 1 … 1000; default 16; sampling only). */
  sample_steps?: number;
  /** Units per hidden layer of the velocity network (whole, 1 … 1024; default 128). */
  width?: number;
  /** Hidden layers of the velocity network (whole, 1 … 8; default 3). */
  depth?: number;
}
/** Each family class's options, by class name. */
export interface OptionsByClass {
  Autoencoder: AutoencoderOptions;
  Vae: VaeOptions;
  Gan: GanOptions;
  Made: MadeOptions;
  PixelRnn: PixelRnnOptions;
  PixelCnn: PixelCnnOptions;
  ImageGpt: ImageGptOptions;
  IndependentPixels: IndependentPixelsOptions;
  VqVae: VqVaeOptions;
  RealNvp: RealNvpOptions;
  Ebm: EbmOptions;
  Ncsn: NcsnOptions;
  Diffusion: DiffusionOptions;
  ConditionalDiffusion: ConditionalDiffusionOptions;
  ScoreSde: ScoreSdeOptions;
  FlowMatching: FlowMatchingOptions;
}

// The result types of the JavaScript API: what the wasm module's functions and handles return.
// Written by hand beside the code that builds them (`src/web/`, serde structs in `src/`); the
// generator appends them to `www/src/generated/api.ts` (and so to the `.d.ts` wasm-bindgen emits),
// and `tests/api_types.rs` (serde structs) and `tests/browser/api_types.rs` (objects built in
// `src/web/`) fail when a returned object's keys differ from the interface's.

/** Which backend runs, and why. */
export interface BackendInfo {
  backend: "cpu" | "webgpu";
  adapter: string | null;
  reason: string;
}

/** The CPU matrix products checked against an f64 reference (`checkMatrixProducts()`). */
export interface ProductCheck {
  /** Products compared: 10 shapes in 4 layouts, and a layer's 2 backward products. */
  products: number;
  /** The largest error of any entry as a fraction of its bound k·ε·Σ|a·b| (at most 1 passes). */
  worst: number;
  /** Each product with an entry past its bound, described; empty when all pass. */
  failures: string[];
  /** An FNV-1a hash (per 32-bit word) of every product's bits, in hex: builds that round differently differ. */
  digest: string;
}

/** The SIMD SiLU pass checked bit for bit against its scalar definition (`checkSiluPass()`). */
export interface SiluPassCheck {
  /** Entries compared, value and slope each. */
  entries: number;
  /** How the SIMD lanes' multiply-adds round: once (fused, the relaxed-SIMD module on FMA hardware) or twice. */
  rounding: "once" | "twice";
  /** Entries whose bits differ from the definition: `{ input, bias, pass, scalar }`; empty when all agree. */
  mismatches: { input: number; bias: number; pass: [number, number]; scalar: [number, number] }[];
}

/** A box in the plane. */
export interface Bounds {
  x_min: number;
  x_max: number;
  y_min: number;
  y_max: number;
}

/** How a reference quantity is known. */
export type Exactness = "exact" | "numerical" | "unavailable";

/** A dataset's metadata. */
export interface DatasetInfo {
  name: DatasetName;
  dim: number;
  bounds: Bounds;
  /** Whether its density and score are exact, numerical or unavailable, and how. */
  reference: { density: Exactness; score: Exactness; method: string };
}

/** How a view is drawn (`src/family.rs`). */
export type ViewKind = "heatmap" | "probability" | "field" | "points" | "curve" | "stages" | "images";

/** A family's own view (`src/family.rs`): what it shows, which points it takes, how to draw it. */
export interface ViewInfo {
  name: string;
  title: string;
  description: string;
  /** Grid cell centres, data samples, points (parameter, y) on a line, or nothing (state). */
  input: "grid" | "data" | "line" | "state";
  /**
   * How to draw the result. `images`: `rows` tile rows of `columns / side²` images each, every
   * image row-major; NaN marks an erased pixel. `stages` on an image lab: `[stages · perStage,
   * side²]`, stage by stage.
   */
  kind: ViewKind;
  parameter: { name: string; default: number; min: number; max: number } | null;
}

/** A computed view, row-major `[rows, columns]`. */
export interface ViewData {
  values: Float32Array;
  rows: number;
  columns: number;
  /**
   * The exact quantity the view estimates, row-major like `values`, where there is one: a
   * field's on mixture data, the optimal discriminator D* beside a GAN's discriminator.
   */
  truth: Float32Array | null;
}

/** Statistics averaged over one `train(steps)` call. */
export interface TrainReport {
  /** The lab's total steps after the call. */
  step: number;
  /** Steps this call trained (fewer than asked only if it was cancelled). */
  steps: number;
  stats: Record<string, number>;
  /** Whether the call's `signal` stopped it early. */
  cancelled: boolean;
}

/** Options of one `train` call. */
export interface TrainOptions {
  /** Stops a long call after its current slice (about 50 ms); it resolves with what it trained. */
  signal?: AbortSignal;
}

/** One labelled divergence value. */
export interface Estimate {
  /** Stable id that code looks it up by (e.g. "sliced_w2"); `name` is for people. */
  id: string;
  name: string;
  value: number;
  units: string;
  direction: string;
  estimator: string;
  model_samples: number;
  data_samples: number;
  /** The estimate between independent data samples; null for exact estimators. */
  noise_floor: NoiseFloor | null;
}

/**
 * An estimate between two independent data samples of the model's size, over `draws` draws:
 * their mean, and the one-sided 95 % prediction bound for one more draw (`upper`): a value at
 * or below `upper` cannot be told apart from a perfect model's.
 */
export interface NoiseFloor {
  mean: number;
  upper: number;
  draws: number;
}

/** The model's density beside the data's on one grid (row-major, row 0 at the lowest y). */
export interface DensityMaps {
  resolution: number;
  model: Float64Array;
  data: Float64Array;
  model_method: string;
  data_method: string;
}

/** The images of an image lab: `side × side` pixels with `levels` grey levels, values in [0, 1]. */
export interface ImageShape {
  side: number;
  levels: number;
}

/**
 * The memorisation check: for each model sample and each held-out image, the Euclidean distance
 * (pixel values in [0, 1]) to its nearest training image.
 */
export interface Memorisation {
  model: Float64Array;
  held_out: Float64Array;
  description: string;
}

/** Model samples, fresh (or held-out) data samples and the divergence panel. */
export interface Evaluation {
  /** Row-major `[n, 2]` points, or `[n, side²]` images (values nominally in [0, 1]). */
  samples: Float32Array;
  /** Like `samples`: fresh data points, or held-out images. */
  data: Float32Array;
  divergences: Estimate[];
  /** The window the data live in. */
  bounds: Bounds;
  step: number;
  /** Null when the samples admit no density estimate (e.g. all equal). */
  densities: DensityMaps | null;
  /** Non-null exactly for an image lab. */
  images: ImageShape | null;
  /** Non-null exactly for an image lab. */
  memorisation: Memorisation | null;
}

/** One of a family's own actions (`src/family.rs`): a fine-grained step, or a change or measurement of the model. */
export interface ActionInfo {
  name: string;
  title: string;
  description: string;
  /** Whether it is a training step (counted in `step`); otherwise it reports what it did in its statistics. */
  trains: boolean;
}

/** What a weights file says about itself (`src/session/weights.rs`). */
export interface WeightsInfo {
  family: string;
  options: Record<string, unknown>;
  step: number;
  shapes: number[][];
  /** The data's map to the model's coordinates (`x = centre + scale·z`); null in older files. */
  standardisation: { centre: [number, number]; scale: number } | null;
}

/** Options of `compareSamples`: the seed of the data draws. */
export interface CompareOptions {
  seed?: number;
}

/** `compareSamples`' panel, and the data samples it compared with. */
export interface Comparison {
  divergences: Estimate[];
  data: Float32Array;
  bounds: Bounds;
}
