// The registry of model families: each family's schema from Rust (its class, the kinds of data
// it learns, its default dataset, its settings with their ranges, choices, help and defaults, and
// its defaults on images; `generated/schema.ts`) joined with how the page presents it: a label,
// a plain-text introduction, the training statistic shown as "loss" and what one stage of its
// trajectory views is. A family without a presentation here still appears, under its name.

import type { GenLab } from "./genlab";
import type { FamilyClassName, FamilyName, NamedDataset } from "./generated/api";
import { SCHEMA, type DataKind, type FamilySchema, type SettingSchema } from "./generated/schema";

export type { DataKind, FamilyClassName, FamilyName };

/** How the page presents a family. */
export interface Presentation {
  label: string;
  /** One paragraph, plain text. */
  lede: string;
  /** The statistic shown as its loss. */
  stat: string;
  /** What one stage of its trajectory views is, for the view's step buttons. */
  stage: string;
  /** A training statistic the page shows beside what the panel says it should be. */
  objective?: Objective;
}

/** A training statistic compared with a function of one panel estimate. */
export interface Objective {
  /** The statistic, by name, as training reports it (absent where it does not apply). */
  stat: string;
  /** The panel estimate, by id. */
  estimate: string;
  /** The readout's label and its tooltip. */
  label: string;
  help: string;
  /** The value the statistic should have, from the estimate's. */
  expected(estimate: number): number;
}

/** One family in the registry: its schema and its presentation. */
export interface FamilyEntry extends FamilySchema, Presentation {
  /** Its class in the wasm module. */
  class: FamilyClassName & keyof GenLab;
}

/** The presentation of each family, by name. */
const PRESENTATIONS: Partial<Record<FamilyName, Presentation>> = {
  autoencoder: {
    label: "Autoencoder",
    lede:
      "An encoder squeezes each point into a code and a decoder rebuilds it. It reconstructs well, " +
      "yet decoding Gaussian noise does not give data: nothing makes the codes Gaussian.",
    stat: "reconstruction",
    stage: "one stage",
  },
  vae: {
    label: "VAE",
    lede:
      "The variational autoencoder maximises the ELBO: reconstruction minus β·KL(q(z|x) ‖ N(0, I)). " +
      "The KL term makes the codes Gaussian, so decoded noise looks like data. Its density is an IWAE estimate.",
    stat: "elbo",
    stage: "one stage",
  },
  gan: {
    label: "GAN",
    lede:
      "A generator and a discriminator play a game. Against the optimal discriminator " +
      "D* = p/(p + q), the minimax value is 2·JS − log 4: the generator minimises the Jensen–Shannon divergence.",
    stat: "g_loss",
    stage: "one stage",
    objective: {
      stat: "value",
      estimate: "js_smoothed",
      label: "V(D, G) vs 2·JS − log 4",
      help:
        "The GAN's value V(D, G) and, from the panel's smoothed JS (calibrated: see CALIBRATION.md), the value " +
        "2·JS − log 4 it would have against the optimal discriminator; shown only for the minimax and " +
        "non-saturating losses, where that lemma holds",
      expected: (js) => 2 * js - Math.log(4),
    },
  },
  made: {
    label: "Autoregressive (MADE)",
    lede:
      "p(x) = p(x₁)·p(x₂|x₁): a masked network outputs each conditional as a mixture of Gaussians, " +
      "so the density is exact and sampling goes one coordinate at a time.",
    stat: "nll",
    stage: "one stage",
  },
  pixel_cnn: {
    label: "Autoregressive images (PixelCNN)",
    lede:
      "p(v) = Π p(v_i | v_<i) over the pixels in raster order. Masked convolutions see only the pixels " +
      "above and to the left: the first (type A) excludes the centre pixel, later ones (type B) include it. " +
      "The likelihood is exact; sampling takes one network pass per pixel (64 for an 8×8 digit).",
    stat: "bits_per_dim",
    stage: "one pixel",
  },
  pixel_rnn: {
    label: "Autoregressive images (Pixel RNN)",
    lede:
      "An LSTM reads the pixels in raster order; its state carries everything above and to the left, and " +
      "each pixel's softmax conditional p(v_i | v_<i) comes from it. The likelihood is exact, but every step " +
      "waits for the previous state: 64 sequential steps to score or to draw an 8×8 digit (PixelCNN scores " +
      "all pixels in one pass).",
    stat: "bits_per_dim",
    stage: "one pixel",
  },
  image_gpt: {
    label: "Autoregressive images (image-GPT)",
    lede:
      "The image read as a 1-D sequence of 64 tokens; a small causal transformer predicts each next token " +
      "from all before it, p(v) = Π p(v_i | v_<i). One pass scores every token (exact likelihood); sampling " +
      "predicts a token, appends it and runs again, so the picture appears row by row.",
    stat: "bits_per_dim",
    stage: "one token",
  },
  independent_pixels: {
    label: "One-shot (independent pixels)",
    lede:
      "Every pixel drawn at once from its own distribution, p(v) = Π p_i(v_i): exact and fast, but no pixel " +
      "knows what its neighbours drew, so samples blend strokes of different digits. Compare the " +
      "autoregressive families' bits/dim and samples.",
    stat: "bits_per_dim",
    stage: "one stage",
  },
  vq_vae: {
    label: "Discrete latents (VQ-VAE)",
    lede:
      "An encoder maps a digit to a 4×4 grid of vectors, each replaced by its nearest codebook entry " +
      "(straight-through gradients past the rounding); a decoder gives every pixel's distribution. " +
      "A causal transformer prior over the code grid trains alongside, so samples exist: codes from the " +
      "prior, then pixels. log p(x | z*) + log p(z*) bounds the likelihood from below.",
    stat: "bits_per_dim_bound",
    stage: "one stage",
  },
  real_nvp: {
    label: "Normalizing flow (RealNVP)",
    lede:
      "Invertible affine couplings warp a Gaussian into the data; the change of variables " +
      "log p(x) = log N(f(x)) + log|det ∂f/∂x| gives the exact density.",
    stat: "nll",
    stage: "one coupling layer",
  },
  ebm: {
    label: "Energy-based model",
    lede:
      "p(x) ∝ exp(−E(x)). Training lowers the energy of data and raises it where Langevin chains " +
      "x ← x − (ε/2)∇E + √ε·z wander; in 2-D the normaliser comes from grid quadrature. Short-run chains " +
      "lag the density between modes, so samples start from exact draws of the grid density and then " +
      "take sample_steps Langevin steps.",
    stat: "loss",
    stage: "one stage",
  },
  ncsn: {
    label: "Score matching (NCSN)",
    lede:
      "A network learns the score ∇log p_σ of the data blurred by noise σ, for a ladder of σ, by " +
      "denoising score matching (target −(x̃ − x)/σ²). Annealed Langevin dynamics walks down the ladder to sample.",
    stat: "loss",
    stage: "one noise level of Langevin steps",
  },
  diffusion: {
    label: "Diffusion (DDPM, DDIM)",
    lede:
      "Noise is added step by step until only noise is left; a network learns to predict that noise, " +
      "and −ε/√(1 − ᾱ_t) is the score. DDPM reverses every step; DDIM takes a few deterministic ones.",
    stat: "loss",
    stage: "one denoising step",
  },
  conditional_diffusion: {
    label: "Conditioning on the label (class-conditional DDPM)",
    lede:
      "One network learns the noise given the digit's label and, with the label dropped for a tenth of " +
      "the images, given none. Classifier-free guidance samples with ε̃ = (1 + w)·ε(x, t, y) − w·ε(x, t, ∅): " +
      "pick the digit and the scale w live, no retraining; the panel reports how often samples show the " +
      "digit asked for, and how varied they are.",
    stat: "loss",
    stage: "one stage",
  },
  score_sde: {
    label: "Score SDE (VP, VE)",
    lede:
      "A stochastic differential equation turns data into noise; its reverse, driven by the learned score, " +
      "turns noise into data. The probability-flow ODE has the same marginals and gives an exact likelihood.",
    stat: "loss",
    stage: "one reverse step",
  },
  flow_matching: {
    label: "Flow matching",
    lede:
      "A network learns the velocity that carries Gaussian noise (t = 0) to the data (t = 1) along " +
      "straight lines; sampling integrates that velocity with an ODE solver. Pairing noise and data by " +
      "minibatch optimal transport, or reflowing on the model's own pairs, straightens the paths.",
    stat: "loss",
    stage: "one ODE step",
  },
};

/**
 * The registry entry of a family's schema: the schema with its presentation, or without one,
 * its name as label, no lede, "loss" as statistic and "one stage" as stage.
 */
export function registryEntry(schema: FamilySchema): FamilyEntry {
  const presentation = PRESENTATIONS[schema.name] ?? { label: schema.name, lede: "", stat: "loss", stage: "one stage" };
  return { ...schema, ...presentation };
}

/** Every family, in the order the notes teach them (the schema's). */
export const FAMILIES: readonly FamilyEntry[] = SCHEMA.families.map(registryEntry);

/** The registry entry of `name`. */
export function family(name: FamilyName): FamilyEntry {
  const entry = FAMILIES.find((f) => f.name === name);
  if (entry === undefined) throw new Error(`unknown family ${name}`);
  return entry;
}

/** The setting of family `entry` called `name`, if it has one. */
export function settingOf(entry: FamilySchema, name: string): SettingSchema | undefined {
  return entry.settings.find((setting) => setting.name === name);
}

/** Whether family `name` learns data of `kind`. */
export function accepts(name: FamilyName, kind: DataKind): boolean {
  return family(name).data.includes(kind);
}

/** The families that learn data of `kind`, in the registry's order. */
export function familiesFor(kind: DataKind): FamilyEntry[] {
  return FAMILIES.filter((entry) => entry.data.includes(kind));
}

/** Every dataset known by name, in the schema's order. */
export const NAMED_DATASETS: readonly NamedDataset[] = SCHEMA.datasets.map((d) => d.name);

/** The datasets of images, by name. */
export const IMAGE_DATASETS: readonly NamedDataset[] = SCHEMA.datasets.filter((d) => d.kind === "images").map((d) => d.name);

/** Whether `dataset` holds images or 2-D points. */
export function dataKindOf(dataset: NamedDataset): DataKind {
  return SCHEMA.datasets.find((d) => d.name === dataset)?.kind ?? "points";
}
