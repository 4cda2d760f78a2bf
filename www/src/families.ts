// The registry of model families: for each, its JavaScript class, a plain-text introduction, the
// settings it takes beyond the shared ones, their family-specific defaults (the same as Rust's)
// and the training statistic the page shows as "loss".

import type { GenLab } from "./genlab";

/** A family's name, as in URLs and options. */
export type FamilyName = "flow_matching" | "autoencoder" | "vae" | "gan" | "made" | "real_nvp" | "ebm";

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
  | "energy_penalty";

/** The classes of the wasm module, by family. */
export type FamilyClassName = "FlowMatching" | "Autoencoder" | "Vae" | "Gan" | "Made" | "RealNvp" | "Ebm";

/** One family in the registry. */
export interface FamilyEntry {
  name: FamilyName;
  label: string;
  className: FamilyClassName & keyof GenLab;
  /** One paragraph, plain text. */
  lede: string;
  /** Its settings, in display order. */
  options: readonly FamilyOption[];
  /** Where its defaults differ from the shared ones. */
  defaults: Partial<Record<FamilyOption, string | number>>;
  /** The statistic shown as its loss. */
  stat: string;
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
    options: ["latent_dim", "width", "depth"],
    defaults: {},
    stat: "reconstruction",
  },
  {
    name: "vae",
    label: "VAE",
    className: "Vae",
    lede:
      "The variational autoencoder maximises the ELBO: reconstruction minus β·KL(q(z|x) ‖ N(0, I)). " +
      "The KL term makes the codes Gaussian, so decoded noise looks like data. Its density is an IWAE estimate.",
    options: ["latent_dim", "beta", "iwae_samples", "width", "depth"],
    defaults: {},
    stat: "elbo",
  },
  {
    name: "gan",
    label: "GAN",
    className: "Gan",
    lede:
      "A generator and a discriminator play a game. Against the optimal discriminator " +
      "D* = p/(p + q), the minimax value is 2·JS − log 4: the generator minimises the Jensen–Shannon divergence.",
    options: ["loss", "d_steps", "latent_dim", "width", "depth"],
    defaults: {},
    stat: "g_loss",
  },
  {
    name: "made",
    label: "Autoregressive (MADE)",
    className: "Made",
    lede:
      "p(x) = p(x₁)·p(x₂|x₁): a masked network outputs each conditional as a mixture of Gaussians, " +
      "so the density is exact and sampling goes one coordinate at a time.",
    options: ["components", "width", "depth"],
    defaults: { depth: 2 },
    stat: "nll",
  },
  {
    name: "real_nvp",
    label: "Normalizing flow (RealNVP)",
    className: "RealNvp",
    lede:
      "Invertible affine couplings warp a Gaussian into the data; the change of variables " +
      "log p(x) = log N(f(x)) + log|det ∂f/∂x| gives the exact density.",
    options: ["layers", "width", "depth"],
    defaults: { width: 64, depth: 2 },
    stat: "nll",
  },
  {
    name: "ebm",
    label: "Energy-based model",
    className: "Ebm",
    lede:
      "p(x) ∝ exp(−E(x)). Training lowers the energy of data and raises it where Langevin chains " +
      "x ← x − (ε/2)∇E + √ε·z wander; in 2-D the normaliser comes from grid quadrature.",
    options: ["langevin_steps", "step_size", "noise", "sample_steps", "energy_penalty", "width", "depth"],
    defaults: { sample_steps: 20 },
    stat: "loss",
  },
  {
    name: "flow_matching",
    label: "Flow matching",
    className: "FlowMatching",
    lede:
      "A network learns the velocity that carries Gaussian noise (t = 0) to the data (t = 1) along " +
      "straight lines; sampling integrates that velocity with an ODE solver.",
    options: ["solver", "sample_steps", "width", "depth"],
    defaults: {},
    stat: "loss",
  },
];

/** The registry entry of `name`. */
export function family(name: FamilyName): FamilyEntry {
  const entry = FAMILIES.find((f) => f.name === name);
  if (entry === undefined) throw new Error(`unknown family ${name}`);
  return entry;
}
