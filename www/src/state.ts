// The page's one serialisable state, mirrored to the URL query so that a link reproduces an
// experiment. Each property is declared once in `PROPERTIES`: its kind, its default and, for
// numbers, its range (the same ranges Rust enforces; Rust stays the authority).

import type { BackendPreference, DatasetName, Solver } from "./genlab";

/** Everything that defines an experiment on the page. */
export interface LabState {
  dataset: DatasetName;
  backend: BackendPreference;
  seed: number;
  learning_rate: number;
  batch_size: number;
  width: number;
  depth: number;
  solver: Solver;
  sample_steps: number;
}

type Property =
  | { name: keyof LabState; kind: "choice"; choices: readonly string[] }
  | { name: keyof LabState; kind: "integer" | "number"; min: number; max: number };

/** The declarative table of state properties. */
export const PROPERTIES: readonly Property[] = [
  {
    name: "dataset",
    kind: "choice",
    choices: ["eight_gaussians", "swiss_roll", "circles", "rings", "moons", "pinwheel", "two_spirals", "checkerboard"],
  },
  { name: "backend", kind: "choice", choices: ["auto", "cpu", "webgpu"] },
  { name: "seed", kind: "integer", min: 0, max: 2 ** 53 },
  { name: "learning_rate", kind: "number", min: 1e-6, max: 1 },
  { name: "batch_size", kind: "integer", min: 1, max: 8192 },
  { name: "width", kind: "integer", min: 1, max: 1024 },
  { name: "depth", kind: "integer", min: 1, max: 8 },
  { name: "solver", kind: "choice", choices: ["euler", "midpoint", "rk4"] },
  { name: "sample_steps", kind: "integer", min: 1, max: 1000 },
];

/** The state of a fresh page. */
export const DEFAULT_STATE: Readonly<LabState> = {
  dataset: "eight_gaussians",
  backend: "auto",
  seed: 0,
  learning_rate: 1e-3,
  batch_size: 512,
  width: 128,
  depth: 3,
  solver: "midpoint",
  sample_steps: 16,
};

/** Longest query string read from a URL. */
const MAX_QUERY_LENGTH = 2048;

/** A state parsed from a URL, and a message per rejected field (the default is kept there). */
export interface ParsedState {
  state: LabState;
  errors: string[];
}

/** Parses a URL query (`?dataset=moons&seed=3`). Unknown keys are ignored, bad values reported. */
export function parseQuery(query: string): ParsedState {
  const state: LabState = { ...DEFAULT_STATE };
  const errors: string[] = [];
  if (query.length > MAX_QUERY_LENGTH) {
    return { state, errors: [`the URL's settings are longer than ${MAX_QUERY_LENGTH} characters; defaults used`] };
  }
  const params = new URLSearchParams(query);
  for (const property of PROPERTIES) {
    const raw = params.get(property.name);
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

function parseValue(property: Property, raw: string): { value: string | number } | string {
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

/** The query string of a state, listing only what differs from the defaults. */
export function toQuery(state: LabState): string {
  const params = new URLSearchParams();
  for (const { name } of PROPERTIES) {
    if (state[name] !== DEFAULT_STATE[name]) params.set(name, String(state[name]));
  }
  const query = params.toString();
  return query === "" ? "" : `?${query}`;
}

/** The options object a family's `create` receives (everything but the backend). */
export function labOptions(state: LabState): Record<string, string | number> {
  const { backend: _backend, ...options } = state;
  return options;
}
