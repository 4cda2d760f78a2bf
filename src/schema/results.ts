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
