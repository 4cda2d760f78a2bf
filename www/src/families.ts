// The registry of model families: for each, its JavaScript class, a plain-text introduction, the
// kinds of data it learns (2-D points, images), the settings it takes beyond the shared ones,
// their family-specific defaults (the same as Rust's, and the ones that suit images) and the
// training statistic the page shows as "loss".

import type { GenLab, NamedDataset } from "./genlab";

/** A family's name, as in URLs and options. */
export type FamilyName =
  | "flow_matching"
  | "autoencoder"
  | "vae"
  | "gan"
  | "made"
  | "real_nvp"
  | "ebm"
  | "ncsn"
  | "diffusion"
  | "score_sde"
  | "pixel_cnn";

/** The family-specific settings a lab can carry (see `LabState`). */
export type FamilyOption =
  | "width"
  | "depth"
  | "solver"
  | "sample_steps"
  | "latent_dim"
  | "beta"
  | "iwae_samples"
  | "loss"
  | "d_steps"
  | "components"
  | "layers"
  | "langevin_steps"
  | "step_size"
  | "noise"
  | "energy_penalty"
  | "coupling"
  | "sigma_max"
  | "sigma_min"
  | "levels"
  | "steps_per_level"
  | "diffusion_steps"
  | "schedule"
  | "beta_start"
  | "beta_end"
  | "sampler"
  | "ddim_steps"
  | "eta"
  | "sde"
  | "beta_min"
  | "beta_max"
  | "likelihood_steps"
  | "channels";

/** A setting with a family-specific default: its own, and the shared ones images change. */
export type DefaultedSetting = FamilyOption | "dataset" | "learning_rate" | "batch_size";

/** The kinds of data: 2-D points (the toy sets, mixtures, your own points) and images. */
export type DataKind = "points" | "images";

/** The datasets of images, by name; every other named dataset is 2-D points. */
export const IMAGE_DATASETS: readonly NamedDataset[] = ["digits"];

/** Whether `dataset` holds images or 2-D points. */
export function dataKindOf(dataset: NamedDataset): DataKind {
  return IMAGE_DATASETS.includes(dataset) ? "images" : "points";
}

/** The classes of the wasm module, by family. */
export type FamilyClassName =
  | "FlowMatching"
  | "Autoencoder"
  | "Vae"
  | "Gan"
  | "Made"
  | "RealNvp"
  | "Ebm"
  | "Ncsn"
  | "Diffusion"
  | "ScoreSde"
  | "PixelCnn";

/** One family in the registry. */
export interface FamilyEntry {
  name: FamilyName;
  label: string;
  className: FamilyClassName & keyof GenLab;
  /** One paragraph, plain text. */
  lede: string;
  /** The kinds of data it learns. */
  data: readonly DataKind[];
  /** Its settings, in display order. */
  options: readonly FamilyOption[];
  /** Where its defaults differ from the shared ones. */
  defaults: Partial<Record<DefaultedSetting, string | number>>;
  /** Where its defaults on images differ from `defaults` (a family that learns images). */
  imageDefaults?: Partial<Record<DefaultedSetting, string | number>>;
  /** Where a numeric setting means something else or has a narrower range for this family. */
  ranges?: Partial<Record<FamilyOption, { min: number; max: number; help: string }>>;
  /** Settings that only change sampling: applied to the trained model without a reset. */
  sampling: readonly FamilyOption[];
  /** Where a shared choice setting offers this family fewer values. */
  choices?: Partial<Record<FamilyOption, readonly string[]>>;
  /** The statistic shown as its loss. */
  stat: string;
  /** What one stage of its trajectory views is, for the view's step buttons. */
  stage: string;
}

/** Every family, in the order the notes teach them. */
export const FAMILIES: readonly FamilyEntry[] = [
  {
    name: "autoencoder",
    label: "Autoencoder",
    className: "Autoencoder",
    lede:
      "An encoder squeezes each point into a code and a decoder rebuilds it. It reconstructs well, " +
      "yet decoding Gaussian noise does not give data: nothing makes the codes Gaussian.",
    data: ["points"],
    options: ["latent_dim", "width", "depth"],
    defaults: {},
    sampling: [],
    stat: "reconstruction",
    stage: "one stage",
  },
  {
    name: "vae",
    label: "VAE",
    className: "Vae",
    lede:
      "The variational autoencoder maximises the ELBO: reconstruction minus β·KL(q(z|x) ‖ N(0, I)). " +
      "The KL term makes the codes Gaussian, so decoded noise looks like data. Its density is an IWAE estimate.",
    data: ["points", "images"],
    options: ["latent_dim", "beta", "iwae_samples", "width", "depth"],
    defaults: {},
    imageDefaults: { learning_rate: 2e-3, batch_size: 128, latent_dim: 2, width: 128 },
    sampling: [],
    stat: "elbo",
    stage: "one stage",
  },
  {
    name: "gan",
    label: "GAN",
    className: "Gan",
    lede:
      "A generator and a discriminator play a game. Against the optimal discriminator " +
      "D* = p/(p + q), the minimax value is 2·JS − log 4: the generator minimises the Jensen–Shannon divergence.",
    data: ["points", "images"],
    options: ["loss", "d_steps", "latent_dim", "width", "depth"],
    defaults: {},
    imageDefaults: { learning_rate: 2e-3, batch_size: 128 },
    sampling: [],
    stat: "g_loss",
    stage: "one stage",
  },
  {
    name: "made",
    label: "Autoregressive (MADE)",
    className: "Made",
    lede:
      "p(x) = p(x₁)·p(x₂|x₁): a masked network outputs each conditional as a mixture of Gaussians, " +
      "so the density is exact and sampling goes one coordinate at a time.",
    data: ["points"],
    options: ["components", "width", "depth"],
    defaults: { depth: 2 },
    sampling: [],
    stat: "nll",
    stage: "one stage",
  },
  {
    name: "pixel_cnn",
    label: "Autoregressive images (PixelCNN)",
    className: "PixelCnn",
    lede:
      "p(v) = Π p(v_i | v_<i) over the pixels in raster order. Masked convolutions see only the pixels " +
      "above and to the left: the first (type A) excludes the centre pixel, later ones (type B) include it. " +
      "The likelihood is exact; sampling takes one network pass per pixel (64 for an 8×8 digit).",
    data: ["images"],
    options: ["channels", "layers"],
    defaults: { dataset: "digits", layers: 4 },
    imageDefaults: { learning_rate: 3e-3, batch_size: 128 },
    ranges: { layers: { min: 1, max: 8, help: "Type-B masked 3×3 layers after the type-A 5×5 one" } },
    sampling: [],
    stat: "bits_per_dim",
    stage: "one pixel",
  },
  {
    name: "real_nvp",
    label: "Normalizing flow (RealNVP)",
    className: "RealNvp",
    lede:
      "Invertible affine couplings warp a Gaussian into the data; the change of variables " +
      "log p(x) = log N(f(x)) + log|det ∂f/∂x| gives the exact density.",
    data: ["points"],
    options: ["layers", "width", "depth"],
    defaults: { width: 64, depth: 2 },
    sampling: [],
    stat: "nll",
    stage: "one coupling layer",
  },
  {
    name: "ebm",
    label: "Energy-based model",
    className: "Ebm",
    lede:
      "p(x) ∝ exp(−E(x)). Training lowers the energy of data and raises it where Langevin chains " +
      "x ← x − (ε/2)∇E + √ε·z wander; in 2-D the normaliser comes from grid quadrature. Short-run chains " +
      "lag the density between modes, so samples start from exact draws of the grid density and then " +
      "take sample_steps Langevin steps.",
    data: ["points"],
    options: ["langevin_steps", "step_size", "noise", "sample_steps", "energy_penalty", "width", "depth"],
    defaults: { sample_steps: 20 },
    sampling: ["sample_steps"],
    stat: "loss",
    stage: "one stage",
  },
  {
    name: "ncsn",
    label: "Score matching (NCSN)",
    className: "Ncsn",
    lede:
      "A network learns the score ∇log p_σ of the data blurred by noise σ, for a ladder of σ, by " +
      "denoising score matching (target −(x̃ − x)/σ²). Annealed Langevin dynamics walks down the ladder to sample.",
    data: ["points"],
    options: ["sigma_max", "sigma_min", "levels", "steps_per_level", "step_size", "width", "depth"],
    defaults: { sigma_max: 3, sigma_min: 0.05, step_size: 5e-4 },
    sampling: ["steps_per_level", "step_size"],
    stat: "loss",
    stage: "one noise level of Langevin steps",
  },
  {
    name: "diffusion",
    label: "Diffusion (DDPM, DDIM)",
    className: "Diffusion",
    lede:
      "Noise is added step by step until only noise is left; a network learns to predict that noise, " +
      "and −ε/√(1 − ᾱ_t) is the score. DDPM reverses every step; DDIM takes a few deterministic ones.",
    data: ["points", "images"],
    options: ["diffusion_steps", "schedule", "beta_start", "beta_end", "sampler", "ddim_steps", "eta", "width", "depth"],
    defaults: { sampler: "ddpm" },
    imageDefaults: { learning_rate: 2e-3, batch_size: 128 },
    sampling: ["sampler", "ddim_steps", "eta"],
    choices: { sampler: ["ddpm", "ddim"] },
    stat: "loss",
    stage: "one denoising step",
  },
  {
    name: "score_sde",
    label: "Score SDE (VP, VE)",
    className: "ScoreSde",
    lede:
      "A stochastic differential equation turns data into noise; its reverse, driven by the learned score, " +
      "turns noise into data. The probability-flow ODE has the same marginals and gives an exact likelihood.",
    data: ["points"],
    options: ["sde", "sampler", "sample_steps", "likelihood_steps", "beta_min", "beta_max", "sigma_min", "sigma_max", "width", "depth"],
    defaults: { sampler: "reverse_sde", sample_steps: 200, sigma_min: 0.01, sigma_max: 5 },
    sampling: ["sampler", "sample_steps", "likelihood_steps"],
    choices: { sampler: ["reverse_sde", "probability_flow"] },
    stat: "loss",
    stage: "one reverse step",
  },
  {
    name: "flow_matching",
    label: "Flow matching",
    className: "FlowMatching",
    lede:
      "A network learns the velocity that carries Gaussian noise (t = 0) to the data (t = 1) along " +
      "straight lines; sampling integrates that velocity with an ODE solver. Pairing noise and data by " +
      "minibatch optimal transport, or reflowing on the model's own pairs, straightens the paths.",
    data: ["points"],
    options: ["coupling", "solver", "sample_steps", "width", "depth"],
    defaults: {},
    sampling: ["solver", "sample_steps"],
    stat: "loss",
    stage: "one ODE step",
  },
];

/** The registry entry of `name`. */
export function family(name: FamilyName): FamilyEntry {
  const entry = FAMILIES.find((f) => f.name === name);
  if (entry === undefined) throw new Error(`unknown family ${name}`);
  return entry;
}

/** Whether family `name` learns data of `kind`. */
export function accepts(name: FamilyName, kind: DataKind): boolean {
  return family(name).data.includes(kind);
}

/** The families that learn data of `kind`, in the registry's order. */
export function familiesFor(kind: DataKind): FamilyEntry[] {
  return FAMILIES.filter((entry) => entry.data.includes(kind));
}
