// The page's one serialisable state, mirrored to the URL query so that a link reproduces an
// experiment. Each property is declared once in `PROPERTIES`: its kind, its default, its range
// (the same ranges Rust enforces; Rust stays the authority) and its tooltip. A family may
// override defaults and ranges (`families.ts`), and has defaults of its own on images; the URL
// lists only what differs from the family's defaults for its data. A family and a dataset must
// suit each other (PixelCNN learns only images; most families only 2-D points).

import type { BackendPreference, GanLossName, NamedDataset, Solver } from "./genlab";
import { accepts, dataKindOf, family, type FamilyEntry, type FamilyName, type FamilyOption } from "./families";

/** Everything that defines an experiment on the page. */
export interface LabState {
  family: FamilyName;
  dataset: NamedDataset;
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
  channels: number;
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
    choices: ["autoencoder", "vae", "gan", "made", "pixel_cnn", "real_nvp", "ebm", "ncsn", "diffusion", "score_sde", "flow_matching"],
    help: "The model family",
  },
  {
    name: "dataset",
    kind: "choice",
    choices: ["eight_gaussians", "swiss_roll", "circles", "rings", "moons", "pinwheel", "two_spirals", "checkerboard", "digits"],
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
  { name: "channels", kind: "integer", min: 1, max: 128, help: "Feature channels per masked convolution layer" },
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
  channels: 32,
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

/**
 * The defaults of `name` on `dataset` (by default its own default dataset): the shared defaults,
 * the family's own on top, and on images the family's image defaults on top of those.
 */
export function defaultsFor(name: FamilyName, dataset?: NamedDataset): LabState {
  const entry = family(name);
  const base = { ...DEFAULT_STATE, ...entry.defaults, family: name } as LabState;
  const chosen = dataset ?? base.dataset;
  const images = dataKindOf(chosen) === "images" ? entry.imageDefaults : {};
  return { ...base, ...images, dataset: chosen } as LabState;
}

/** `property` as family `entry` reads it: its own range and meaning where it narrows one. */
export function familyProperty(entry: FamilyEntry, property: Property): Property {
  const narrowed = entry.ranges?.[property.name as FamilyOption];
  return narrowed === undefined || property.kind === "choice" ? property : { ...property, ...narrowed };
}

/** Whether family `name` learns `dataset`; otherwise a message saying what it learns. */
export function pairingError(name: FamilyName, dataset: NamedDataset): string | null {
  if (accepts(name, dataKindOf(dataset))) return null;
  const entry = family(name);
  const learns = entry.data.includes("images") ? "only images (digits)" : "only 2-D points, not images";
  return `${entry.label} learns ${learns}, so it cannot learn "${dataset}"`;
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
  const parsed = (spec: Property): string | number | null => {
    const raw = get(spec.name);
    if (raw === null) return null;
    const result = parseValue(spec, raw);
    if (typeof result !== "string") return result.value;
    errors.push(`${spec.name}: ${result}`);
    return null;
  };
  const name = (parsed(property("family")) ?? DEFAULT_STATE.family) as FamilyName;
  let dataset = (parsed(property("dataset")) ?? defaultsFor(name).dataset) as NamedDataset;
  const mismatch = pairingError(name, dataset);
  if (mismatch !== null) {
    dataset = defaultsFor(name).dataset;
    errors.push(`dataset: ${mismatch}; ${dataset} used`);
  }
  const state = defaultsFor(name, dataset);
  const entry = family(name);
  for (const shared of PROPERTIES.filter((p) => p.name !== "family" && p.name !== "dataset")) {
    const value = parsed(familyProperty(entry, shared));
    if (value !== null) (state as unknown as Record<string, string | number>)[shared.name] = value;
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

/**
 * The settings of a state that differ from its family's defaults (the family always): the
 * dataset against the family's default dataset, the others against its defaults on that dataset.
 */
export function settingsOf(state: LabState): Record<string, string> {
  const defaults = { ...defaultsFor(state.family, state.dataset), dataset: defaultsFor(state.family).dataset };
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

/** The settings to keep when the model family changes: chosen by the user, not a default. */
const KEPT_ON_FAMILY_CHANGE = ["learning_rate", "batch_size"] as const;

/**
 * The state after choosing family `name`: its defaults on the same data (or on its own default
 * dataset if it cannot learn this one), keeping the backend, the seed, and the learning rate
 * and batch size where the user changed them from the previous family's defaults.
 */
export function withFamily(state: LabState, name: FamilyName): LabState {
  const dataset = pairingError(name, state.dataset) === null ? state.dataset : undefined;
  const next = { ...defaultsFor(name, dataset), backend: state.backend, seed: state.seed };
  const previous = defaultsFor(state.family, state.dataset);
  for (const key of KEPT_ON_FAMILY_CHANGE) if (state[key] !== previous[key]) next[key] = state[key];
  return next;
}

/**
 * The state after choosing `dataset`. A family that cannot learn it gives way to the default
 * family (which learns both kinds); between points and images, the settings the family's image
 * defaults name are set once to its defaults for the new kind of data; all else is kept.
 */
export function withDataset(state: LabState, dataset: NamedDataset): LabState {
  if (pairingError(state.family, dataset) !== null) {
    return { ...defaultsFor(DEFAULT_STATE.family, dataset), backend: state.backend, seed: state.seed };
  }
  if (dataKindOf(dataset) === dataKindOf(state.dataset)) return { ...state, dataset };
  const fresh = defaultsFor(state.family, dataset);
  const next: LabState = { ...state, dataset };
  for (const key of Object.keys(family(state.family).imageDefaults ?? {}) as (keyof LabState)[]) {
    (next as unknown as Record<string, unknown>)[key] = fresh[key];
  }
  return next;
}

/** The settings of `to` that differ from `from`. */
export function changes(from: LabState, to: LabState): Partial<LabState> {
  const patch: Record<string, unknown> = {};
  for (const key of Object.keys(to) as (keyof LabState)[]) if (to[key] !== from[key]) patch[key] = to[key];
  return patch as Partial<LabState>;
}

/** What a settings change (`patch`) did, in words. */
export function describeChange(patch: Partial<LabState>): string {
  const { family: name, dataset, ...others } = patch;
  const rest = Object.keys(others).join(", ");
  if (name !== undefined) {
    const label = family(name).label;
    return dataset === undefined ? `family changed to ${label}` : `dataset changed to ${dataset}, and family to ${label}, which learns it`;
  }
  if (dataset === undefined) return `${rest} changed`;
  return rest === "" ? `dataset changed to ${dataset}` : `dataset changed to ${dataset}, with the family's defaults for it of ${rest}`;
}
