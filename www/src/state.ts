// The page's one serialisable state, mirrored to the URL query so that a link reproduces an
// experiment. Each property is declared once in `PROPERTIES`: its kind, its default, its range
// (the same ranges Rust enforces; Rust stays the authority) and its tooltip. A family may
// override defaults (`families.ts`); the URL lists only what differs from the family's defaults.

import type { BackendPreference, DatasetName, GanLossName, Solver } from "./genlab";
import { family, type FamilyName, type FamilyOption } from "./families";

/** Everything that defines an experiment on the page. */
export interface LabState {
  family: FamilyName;
  dataset: DatasetName;
  backend: BackendPreference;
  seed: number;
  learning_rate: number;
  batch_size: number;
  width: number;
  depth: number;
  solver: Solver;
  sample_steps: number;
  latent_dim: number;
  beta: number;
  iwae_samples: number;
  loss: GanLossName;
  d_steps: number;
  components: number;
  layers: number;
  langevin_steps: number;
  step_size: number;
  noise: number;
  energy_penalty: number;
  coupling: "independent" | "minibatch_ot";
  sigma_max: number;
  sigma_min: number;
  levels: number;
  steps_per_level: number;
  diffusion_steps: number;
  schedule: "linear" | "cosine";
  beta_start: number;
  beta_end: number;
  sampler: "ddpm" | "ddim" | "reverse_sde" | "probability_flow";
  ddim_steps: number;
  eta: number;
  sde: "vp" | "ve";
  beta_min: number;
  beta_max: number;
  likelihood_steps: number;
}

/** One property of the state: how to parse it and what it means. */
export type Property = { name: keyof LabState; help: string } & (
  | { kind: "choice"; choices: readonly string[] }
  | { kind: "integer" | "number"; min: number; max: number }
);

/** The declarative table of state properties. */
export const PROPERTIES: readonly Property[] = [
  {
    name: "family",
    kind: "choice",
    choices: ["autoencoder", "vae", "gan", "made", "real_nvp", "ebm", "ncsn", "diffusion", "score_sde", "flow_matching"],
    help: "The model family",
  },
  {
    name: "dataset",
    kind: "choice",
    choices: ["eight_gaussians", "swiss_roll", "circles", "rings", "moons", "pinwheel", "two_spirals", "checkerboard"],
    help: "The data distribution to learn",
  },
  { name: "backend", kind: "choice", choices: ["auto", "cpu", "webgpu"], help: "Where the tensors run" },
  { name: "seed", kind: "integer", min: 0, max: 2 ** 53, help: "Seed of the data, weights and noise" },
  { name: "learning_rate", kind: "number", min: 1e-6, max: 1, help: "Adam learning rate" },
  { name: "batch_size", kind: "integer", min: 1, max: 8192, help: "Points per training batch" },
  { name: "width", kind: "integer", min: 1, max: 1024, help: "Units per hidden layer" },
  { name: "depth", kind: "integer", min: 1, max: 8, help: "Hidden layers per network" },
  { name: "solver", kind: "choice", choices: ["euler", "midpoint", "rk4"], help: "ODE solver used to sample" },
  { name: "sample_steps", kind: "integer", min: 0, max: 2000, help: "Solver, SDE or Langevin steps when sampling" },
  { name: "latent_dim", kind: "integer", min: 1, max: 8, help: "Dimension of the latent code or noise" },
  { name: "beta", kind: "number", min: 0, max: 10, help: "Weight β of the KL term (1 is the ELBO)" },
  { name: "iwae_samples", kind: "integer", min: 1, max: 256, help: "Importance samples K of the IWAE density" },
  {
    name: "loss",
    kind: "choice",
    choices: ["non_saturating", "minimax", "least_squares", "wgan_gp", "hinge"],
    help: "The GAN objective",
  },
  { name: "d_steps", kind: "integer", min: 1, max: 10, help: "Discriminator steps per generator step" },
  { name: "components", kind: "integer", min: 1, max: 32, help: "Gaussians per autoregressive conditional" },
  { name: "layers", kind: "integer", min: 1, max: 32, help: "Coupling layers of the flow" },
  { name: "langevin_steps", kind: "integer", min: 1, max: 200, help: "Langevin steps per training step" },
  { name: "step_size", kind: "number", min: 1e-8, max: 1, help: "Langevin step size ε" },
  { name: "noise", kind: "number", min: 0, max: 1, help: "Langevin noise multiplier (1 is exact Langevin)" },
  { name: "energy_penalty", kind: "number", min: 0, max: 10, help: "Weight α of the energy-magnitude penalty" },
  {
    name: "coupling",
    kind: "choice",
    choices: ["independent", "minibatch_ot"],
    help: "How noise and data are paired: independently, or by the batch's optimal transport plan",
  },
  { name: "sigma_max", kind: "number", min: 1e-4, max: 100, help: "Largest noise level σ_max" },
  { name: "sigma_min", kind: "number", min: 1e-4, max: 100, help: "Smallest noise level σ_min (below σ_max)" },
  { name: "levels", kind: "integer", min: 2, max: 100, help: "Noise levels of the geometric ladder" },
  { name: "steps_per_level", kind: "integer", min: 1, max: 1000, help: "Langevin steps per noise level" },
  { name: "diffusion_steps", kind: "integer", min: 2, max: 1000, help: "Diffusion steps T" },
  { name: "schedule", kind: "choice", choices: ["linear", "cosine"], help: "The β schedule" },
  { name: "beta_start", kind: "number", min: 1e-8, max: 0.999, help: "Linear schedule: β₁ as for 1000 steps" },
  { name: "beta_end", kind: "number", min: 1e-8, max: 0.999, help: "Linear schedule: β_T as for 1000 steps" },
  {
    name: "sampler",
    kind: "choice",
    choices: ["ddpm", "ddim", "reverse_sde", "probability_flow"],
    help: "How samples are drawn (changing it keeps the trained model)",
  },
  { name: "ddim_steps", kind: "integer", min: 1, max: 1000, help: "DDIM steps (at most T)" },
  { name: "eta", kind: "number", min: 0, max: 1, help: "DDIM stochasticity η (0 is deterministic)" },
  { name: "sde", kind: "choice", choices: ["vp", "ve"], help: "Variance preserving or variance exploding SDE" },
  { name: "beta_min", kind: "number", min: 1e-3, max: 100, help: "VP SDE: β(0)" },
  { name: "beta_max", kind: "number", min: 1e-3, max: 100, help: "VP SDE: β(1)" },
  { name: "likelihood_steps", kind: "integer", min: 1, max: 1000, help: "Midpoint steps of the likelihood ODE" },
];

/** The state of a fresh page. */
export const DEFAULT_STATE: Readonly<LabState> = {
  family: "vae",
  dataset: "eight_gaussians",
  backend: "auto",
  seed: 0,
  learning_rate: 1e-3,
  batch_size: 512,
  width: 128,
  depth: 3,
  solver: "midpoint",
  sample_steps: 16,
  latent_dim: 2,
  beta: 1,
  iwae_samples: 32,
  loss: "non_saturating",
  d_steps: 1,
  components: 8,
  layers: 8,
  langevin_steps: 20,
  step_size: 0.01,
  noise: 1,
  energy_penalty: 0.1,
  coupling: "independent",
  sigma_max: 3,
  sigma_min: 0.05,
  levels: 10,
  steps_per_level: 20,
  diffusion_steps: 100,
  schedule: "linear",
  beta_start: 1e-4,
  beta_end: 0.02,
  sampler: "ddpm",
  ddim_steps: 20,
  eta: 0,
  sde: "vp",
  beta_min: 0.1,
  beta_max: 20,
  likelihood_steps: 16,
};

/** The controls of a lab cell a lesson link can hide (`data-control` in the lab template). */
export const HIDEABLE = [
  "family",
  "dataset",
  "learning_rate",
  "batch_size",
  "seed",
  "settings",
  "steps",
  "reset",
  "own_data",
  "exports",
] as const;
/** One of [`HIDEABLE`]. */
export type Hideable = (typeof HIDEABLE)[number];

/** The defaults of `name`: the shared defaults with the family's own on top. */
export function defaultsFor(name: FamilyName): LabState {
  return { ...DEFAULT_STATE, ...family(name).defaults, family: name } as LabState;
}

/** Longest query string read from a URL. */
const MAX_QUERY_LENGTH = 2048;

/** A state parsed from a URL, and a message per rejected field (the default is kept there). */
export interface ParsedState {
  state: LabState;
  errors: string[];
}

/** Parses a URL query (`?family=gan&dataset=moons`). Unknown keys are ignored, bad values reported. */
export function parseQuery(query: string): ParsedState {
  if (query.length > MAX_QUERY_LENGTH) {
    const errors = [`the URL's settings are longer than ${MAX_QUERY_LENGTH} characters; defaults used`];
    return { state: { ...DEFAULT_STATE }, errors };
  }
  const params = new URLSearchParams(query);
  return parseSettings((name) => params.get(name));
}

/**
 * Builds a state from raw setting values (`get(name)` is the text of a setting, or null when
 * absent): the family's defaults, then every valid value; each bad value is reported by name.
 */
export function parseSettings(get: (name: string) => string | null): ParsedState {
  const errors: string[] = [];
  const chosen = get("family");
  let state: LabState = { ...DEFAULT_STATE };
  if (chosen !== null) {
    const result = parseValue(PROPERTIES[0], chosen);
    if (typeof result === "string") errors.push(`family: ${result}`);
    else state = defaultsFor(result.value as FamilyName);
  }
  for (const property of PROPERTIES.slice(1)) {
    const raw = get(property.name);
    if (raw === null) continue;
    const result = parseValue(property, raw);
    if (typeof result === "string") {
      errors.push(`${property.name}: ${result}`);
    } else {
      (state as unknown as Record<string, string | number>)[property.name] = result.value;
    }
  }
  return { state, errors };
}

/** Checks one raw value against its property; a message naming the range when it is bad. */
export function parseValue(property: Property, raw: string): { value: string | number } | string {
  if (property.kind === "choice") {
    return property.choices.includes(raw)
      ? { value: raw }
      : `must be one of ${property.choices.join(", ")}, got "${raw.slice(0, 40)}"`;
  }
  const value = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(value)) return `must be a number, got "${raw.slice(0, 40)}"`;
  if (property.kind === "integer" && !Number.isInteger(value)) return `must be a whole number, got ${value}`;
  if (value < property.min || value > property.max) {
    return `must be between ${property.min} and ${property.max}, got ${value}`;
  }
  return { value };
}

/** The settings of a state that differ from its family's defaults (the family always). */
export function settingsOf(state: LabState): Record<string, string> {
  const defaults = defaultsFor(state.family);
  const settings: Record<string, string> = { family: state.family };
  for (const { name } of PROPERTIES.slice(1)) {
    if (state[name] !== defaults[name]) settings[name] = String(state[name]);
  }
  return settings;
}

/** The query string of a state, listing only what differs from its family's defaults. */
export function toQuery(state: LabState): string {
  const { family, ...rest } = settingsOf(state);
  const params = new URLSearchParams(family === DEFAULT_STATE.family ? rest : { family, ...rest });
  const query = params.toString();
  return query === "" ? "" : `?${query}`;
}

/** The options object the family's `create` receives: the shared settings and its own. */
export function labOptions(state: LabState): Record<string, string | number> {
  const options: Record<string, string | number> = {
    dataset: state.dataset,
    seed: state.seed,
    learning_rate: state.learning_rate,
    batch_size: state.batch_size,
  };
  for (const name of family(state.family).options as readonly FamilyOption[]) options[name] = state[name];
  return options;
}

/** The property called `name`. */
export function property(name: keyof LabState): Property {
  const found = PROPERTIES.find((p) => p.name === name);
  if (found === undefined) throw new Error(`no property ${name}`);
  return found;
}
