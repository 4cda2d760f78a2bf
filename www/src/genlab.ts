// The wasm module's JavaScript API, typed. Keep in sync with `src/web/` (the `TYPES` section in
// `src/web/families.rs` declares the same interfaces for the generated `.d.ts`).

/** A 2-D dataset's name (listed by `datasets()`). Keep in sync with `src/data/toy.rs`. */
export type DatasetName =
  | "eight_gaussians"
  | "swiss_roll"
  | "circles"
  | "rings"
  | "moons"
  | "pinwheel"
  | "two_spirals"
  | "checkerboard";
/** A data source given by its parameters or points (validated in Rust). */
export type CustomDataset =
  | {
      kind: "mixture";
      weights: number[];
      means: [number, number][];
      covariances: [number, number, number, number][];
    }
  | { kind: "points"; csv: string };

/** An image dataset's name (not listed by `datasets()`): the 8×8 UCI digits (`src/data/digits.rs`). */
export type ImageSetName = "digits";

/** Any dataset known by name: the 2-D sets and the digits. */
export type NamedDataset = DatasetName | ImageSetName;

/** A dataset name or a custom data source. */
export type DatasetSpec = NamedDataset | CustomDataset;

/** The backend requested: automatic, CPU, or WebGPU (forced). */
export type BackendPreference = "auto" | "cpu" | "webgpu";
/** An ODE solver of the flow families. */
export type Solver = "euler" | "midpoint" | "rk4";
/** A GAN objective. */
export type GanLossName = "minimax" | "non_saturating" | "least_squares" | "wgan_gp" | "hinge";

/** Which backend runs, and why. */
export interface BackendInfo {
  backend: "cpu" | "webgpu";
  adapter: string | null;
  reason: string;
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

/** Settings every family shares (`TrainingConfig` in `src/session.rs`). */
export interface TrainingOptions {
  dataset?: DatasetSpec;
  seed?: number;
  batch_size?: number;
  learning_rate?: number;
}

/** Flow-matching settings (`FlowMatchingConfig` in `src/models/flow_matching.rs`). */
export interface FlowMatchingOptions extends TrainingOptions {
  width?: number;
  depth?: number;
  solver?: Solver;
  sample_steps?: number;
  coupling?: "independent" | "minibatch_ot";
}

/** Autoencoder settings (`src/models/autoencoder.rs`). */
export interface AutoencoderOptions extends TrainingOptions {
  width?: number;
  depth?: number;
  latent_dim?: number;
}

/** VAE settings (`src/models/vae.rs`). */
export interface VaeOptions extends AutoencoderOptions {
  beta?: number;
  iwae_samples?: number;
}

/** GAN settings (`src/models/gan.rs`). */
export interface GanOptions extends AutoencoderOptions {
  loss?: GanLossName;
  d_steps?: number;
}

/** MADE settings (`src/models/made.rs`). */
export interface MadeOptions extends TrainingOptions {
  width?: number;
  depth?: number;
  components?: number;
}

/** RealNVP settings (`src/models/real_nvp.rs`). */
export interface RealNvpOptions extends TrainingOptions {
  layers?: number;
  width?: number;
  depth?: number;
}

/** Energy-based model settings (`src/models/ebm.rs`). */
export interface EbmOptions extends TrainingOptions {
  width?: number;
  depth?: number;
  langevin_steps?: number;
  step_size?: number;
  noise?: number;
  sample_steps?: number;
  energy_penalty?: number;
}

/** NCSN settings (`src/models/ncsn.rs`). */
export interface NcsnOptions extends TrainingOptions {
  width?: number;
  depth?: number;
  sigma_max?: number;
  sigma_min?: number;
  levels?: number;
  steps_per_level?: number;
  step_size?: number;
}

/** Diffusion settings (`src/models/diffusion.rs`). */
export interface DiffusionOptions extends TrainingOptions {
  width?: number;
  depth?: number;
  diffusion_steps?: number;
  schedule?: "linear" | "cosine";
  beta_start?: number;
  beta_end?: number;
  sampler?: "ddpm" | "ddim";
  ddim_steps?: number;
  eta?: number;
}

/** Score SDE settings (`src/models/score_sde.rs`). */
export interface ScoreSdeOptions extends TrainingOptions {
  width?: number;
  depth?: number;
  sde?: "vp" | "ve";
  beta_min?: number;
  beta_max?: number;
  sigma_min?: number;
  sigma_max?: number;
  sampler?: "reverse_sde" | "probability_flow";
  sample_steps?: number;
  likelihood_steps?: number;
}

/** PixelCNN settings (`src/models/pixel_cnn.rs`). */
export interface PixelCnnOptions extends TrainingOptions {
  /** Feature channels of every hidden layer (1 … 128). */
  channels?: number;
  /** Type-B masked 3×3 layers after the type-A 5×5 one (1 … 8). */
  layers?: number;
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
  /** For a field view on mixture data: the exact field it estimates, row-major like `values`. */
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

/** A family's fine-grained step (`src/family.rs`). */
export interface ActionInfo {
  name: string;
  title: string;
  description: string;
  /** Whether it updates weights (a training step) rather than only the sampler's state. */
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

/** The handle every family class creates. */
export interface LabHandle {
  /** Trains 1 … 100 000 steps in slices of about 50 ms, yielding to the page between them. */
  train(steps: number, options?: TrainOptions): Promise<TrainReport>;
  sample(n: number): Promise<Float32Array>;
  evaluate(n: number): Promise<Evaluation>;
  options(): Record<string, unknown>;
  backend(): BackendInfo;
  step(): number;
  /** What the lab trains on, e.g. `"moons"` or `"your 120 points"`. */
  dataName(): string;
  views(): ViewInfo[];
  view(name: string, points: Float32Array, parameter: number): Promise<ViewData>;
  actions(): ActionInfo[];
  act(name: string): Promise<TrainReport>;
  exportWeights(): Promise<Uint8Array>;
  importWeights(bytes: Uint8Array): number;
  /** Changes sampling-only settings of the trained model; other fields reject by name. */
  setSampling(patch: Record<string, string | number>): Record<string, unknown>;
  free(): void;
}

/** A family's class: `await FlowMatching.create(options)`. */
export interface FamilyClass<Options> {
  create(options?: Options): Promise<LabHandle>;
}

/** The module's exports. */
export interface GenLab {
  initBackend(preference?: BackendPreference): Promise<BackendInfo>;
  datasets(): DatasetInfo[];
  datasetSample(dataset: DatasetSpec, n: number, seed: number): Float32Array;
  densityGrid(dataset: DatasetSpec, bounds: Bounds, resolution: number): Float64Array;
  datasetScore(dataset: DatasetSpec, points: Float32Array, sigma: number): Float64Array;
  /** The divergence panel between a 2-D dataset and your own points (16 … 16 384 of them). */
  compareSamples(dataset: DatasetSpec, samples: Float32Array, options?: { seed?: number }): {
    divergences: Estimate[];
    data: Float32Array;
    bounds: Bounds;
  };
  /** Checks a weights file and says what it holds (without loading it). */
  weightsInfo(bytes: Uint8Array): WeightsInfo;
  /** Panics on purpose (a test hook): the instance traps and is unusable from then on. */
  simulatePanic(): void;
  FlowMatching: FamilyClass<FlowMatchingOptions>;
  Autoencoder: FamilyClass<AutoencoderOptions>;
  Vae: FamilyClass<VaeOptions>;
  Gan: FamilyClass<GanOptions>;
  Made: FamilyClass<MadeOptions>;
  RealNvp: FamilyClass<RealNvpOptions>;
  Ebm: FamilyClass<EbmOptions>;
  Ncsn: FamilyClass<NcsnOptions>;
  Diffusion: FamilyClass<DiffusionOptions>;
  ScoreSde: FamilyClass<ScoreSdeOptions>;
  PixelCnn: FamilyClass<PixelCnnOptions>;
}

interface BindgenModule extends GenLab {
  default(init: { module_or_path: string }): Promise<unknown>;
}

/**
 * Loads the wasm-bindgen glue from `bindingsUrl` and instantiates the module from `wasmUrl`
 * (Trunk writes both URLs, content-hashed, onto the page's script tag).
 */
export async function loadGenLab(bindingsUrl: string, wasmUrl: string): Promise<GenLab> {
  const module = (await import(bindingsUrl)) as BindgenModule;
  await module.default({ module_or_path: wasmUrl });
  return module;
}
