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
export type FamilyName = "autoencoder" | "vae" | "gan" | "made" | "pixel_cnn" | "real_nvp" | "ebm" | "ncsn" | "diffusion" | "score_sde" | "flow_matching";
/** A family's JavaScript class. */
export type FamilyClassName = "Autoencoder" | "Vae" | "Gan" | "Made" | "PixelCnn" | "RealNvp" | "Ebm" | "Ncsn" | "Diffusion" | "ScoreSde" | "FlowMatching";

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
/** The settings of `PixelCnn`. */
export interface PixelCnnOptions extends TrainingOptions {
  /** Feature channels per masked convolution layer (whole, 1 … 128; default 32). */
  channels?: number;
  /** Type-B masked 3×3 layers after the type-A 5×5 one (whole, 1 … 8; default 4). */
  layers?: number;
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
