// The page's one serialisable state, mirrored to the URL query so that a link reproduces an
// experiment. Every setting is drawn from the Rust schema (`generated/schema.ts`): the shared
// ones, and each family's own with its kind, range or choices, default and defaults on images;
// only the family, dataset and backend choices are the page's. The URL lists only what differs
// from the family's defaults for its kind of data, flat (`?family=gan&loss=hinge`). A family and
// a dataset must suit each other (PixelCNN learns only images; most families only 2-D points).

import type { BackendPreference } from "./genlab";
import type { FamilyName, NamedDataset } from "./generated/api";
import { SCHEMA, type SettingSchema, type SettingValue } from "./generated/schema";
import { FAMILIES, IMAGE_DATASETS, NAMED_DATASETS, accepts, dataKindOf, family, settingOf } from "./families";

/** The settings every family shares. */
export interface SharedSettings {
  seed: number;
  learning_rate: number;
  batch_size: number;
}

/** Everything that defines an experiment on the page. */
export interface LabState {
  family: FamilyName;
  dataset: NamedDataset;
  backend: BackendPreference;
  shared: SharedSettings;
  /** The family's own settings, exactly those its schema names. */
  settings: Record<string, SettingValue>;
}

/** A change of some settings of a lab (see `changes` and `withChange`). */
export interface LabPatch {
  family?: FamilyName;
  dataset?: NamedDataset;
  backend?: BackendPreference;
  shared?: Partial<SharedSettings>;
  settings?: Record<string, SettingValue>;
}

/** The shared settings, in the schema's order. */
export const SHARED = SCHEMA.shared as readonly (SettingSchema & { name: keyof SharedSettings })[];

/** The family of a fresh page (it learns both points and images). */
export const DEFAULT_FAMILY: FamilyName = "vae";

/** The page's choice of family (the Rust schema lists the families). */
const FAMILY_SETTING: SettingSchema = {
  name: "family",
  kind: "choice",
  choices: FAMILIES.map((f) => f.name),
  help: "The model family",
  sampling: false,
  default: DEFAULT_FAMILY,
};

/** The page's choice of dataset (the Rust schema lists the named ones). */
const DATASET_SETTING: SettingSchema = {
  name: "dataset",
  kind: "choice",
  choices: NAMED_DATASETS,
  help: "The data distribution to learn",
  sampling: false,
  default: family(DEFAULT_FAMILY).default_dataset,
};

/** The page's choice of backend. */
const BACKEND_SETTING: SettingSchema = {
  name: "backend",
  kind: "choice",
  choices: ["auto", "cpu", "webgpu"] satisfies BackendPreference[],
  help: "Where the tensors run",
  sampling: false,
  default: "auto",
};

/** The settings that are the page's rather than Rust's: which family, on which data, where. */
export const PAGE_SETTINGS: readonly SettingSchema[] = [FAMILY_SETTING, DATASET_SETTING, BACKEND_SETTING];

/** Every name a lab's setting may have, in any family. */
export const SETTING_NAMES: ReadonlySet<string> = new Set(
  [...PAGE_SETTINGS, ...SHARED, ...FAMILIES.flatMap((f) => f.settings)].map((setting) => setting.name),
);

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

/** The defaults of `settings`, by name. */
function defaultsOf(settings: readonly SettingSchema[]): Record<string, SettingValue> {
  return Object.fromEntries(settings.map((setting) => [setting.name, setting.default]));
}

/**
 * The defaults of `name` on `dataset` (by default its own default dataset): the schema's
 * defaults of the shared settings and of its own, and on images its image defaults over both.
 */
export function defaultsFor(name: FamilyName, dataset?: NamedDataset): LabState {
  const entry = family(name);
  const shared = defaultsOf(SHARED);
  const settings = defaultsOf(entry.settings);
  const chosen = dataset ?? entry.default_dataset;
  if (dataKindOf(chosen) === "images") {
    for (const [key, value] of Object.entries(entry.image_defaults)) {
      if (key in shared) shared[key] = value;
      else if (key in settings) settings[key] = value;
    }
  }
  const backend = BACKEND_SETTING.default as BackendPreference;
  return { family: name, dataset: chosen, backend, shared: shared as unknown as SharedSettings, settings };
}

/** `state`, frozen with its settings. */
function freeze(state: LabState): Readonly<LabState> {
  return Object.freeze({ ...state, shared: Object.freeze(state.shared), settings: Object.freeze(state.settings) });
}

/** The state of a fresh page (frozen: copy it to change it). */
export const DEFAULT_STATE: Readonly<LabState> = freeze(defaultsFor(DEFAULT_FAMILY));

/** Whether family `name` learns `dataset`; otherwise a message saying what it learns. */
export function pairingError(name: FamilyName, dataset: NamedDataset): string | null {
  if (accepts(name, dataKindOf(dataset))) return null;
  const entry = family(name);
  const learns = entry.data.includes("images") ? `only images (${IMAGE_DATASETS.join(", ")})` : "only 2-D points, not images";
  return `${entry.label} learns ${learns}, so it cannot learn "${dataset}"`;
}

/** Longest query string read from a URL. */
const MAX_QUERY_LENGTH = 2048;

/** A state parsed from a URL, and a message per rejected field (the default is kept there). */
export interface ParsedState {
  state: LabState;
  errors: string[];
}

/**
 * Parses a URL query (`?family=gan&dataset=moons`). Unknown keys, and those of other families,
 * are ignored; bad values are reported.
 */
export function parseQuery(query: string): ParsedState {
  if (query.length > MAX_QUERY_LENGTH) {
    const errors = [`the URL's settings are longer than ${MAX_QUERY_LENGTH} characters; defaults used`];
    return { state: defaultsFor(DEFAULT_FAMILY), errors };
  }
  const params = new URLSearchParams(query);
  return parseSettings((name) => params.get(name));
}

/**
 * Builds a state from raw setting values (`get(name)` is the text of a setting, or null when
 * absent): the family's defaults, then every valid value of the page's settings, the shared
 * ones and the family's own; each bad value is reported by name. Other names are not read.
 */
export function parseSettings(get: (name: string) => string | null): ParsedState {
  const errors: string[] = [];
  const parsed = (setting: SettingSchema): SettingValue | null => {
    const raw = get(setting.name);
    if (raw === null) return null;
    const result = parseValue(setting, raw);
    if (typeof result !== "string") return result.value;
    errors.push(`${setting.name}: ${result}`);
    return null;
  };
  const name = (parsed(FAMILY_SETTING) ?? DEFAULT_FAMILY) as FamilyName;
  const fallback = family(name).default_dataset;
  let dataset = (parsed(DATASET_SETTING) ?? fallback) as NamedDataset;
  const mismatch = pairingError(name, dataset);
  if (mismatch !== null) {
    dataset = fallback;
    errors.push(`dataset: ${mismatch}; ${dataset} used`);
  }
  const state = defaultsFor(name, dataset);
  state.backend = (parsed(BACKEND_SETTING) ?? state.backend) as BackendPreference;
  const shared = state.shared as unknown as Record<string, SettingValue>;
  for (const setting of SHARED) shared[setting.name] = parsed(setting) ?? shared[setting.name];
  for (const setting of family(name).settings) state.settings[setting.name] = parsed(setting) ?? state.settings[setting.name];
  return { state, errors };
}

/** Checks one raw value against its setting; a message naming the range when it is bad. */
export function parseValue(setting: SettingSchema, raw: string): { value: SettingValue } | string {
  const shown = `"${raw.slice(0, 40)}"`;
  if (setting.kind === "choice") {
    const choices = setting.choices ?? [];
    return choices.includes(raw) ? { value: raw } : `must be one of ${choices.join(", ")}, got ${shown}`;
  }
  if (setting.kind === "boolean") {
    return raw === "true" || raw === "false" ? { value: raw === "true" } : `must be true or false, got ${shown}`;
  }
  const value = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(value)) return `must be a number, got ${shown}`;
  if (setting.kind === "integer" && !Number.isInteger(value)) return `must be a whole number, got ${value}`;
  const { min = -Infinity, max = Infinity } = setting;
  if (value < min || value > max) return `must be between ${min} and ${max}, got ${value}`;
  return { value };
}

/**
 * The settings of a state that differ from its family's defaults (the family always), flat:
 * the dataset against the family's default dataset, the others against its defaults on that
 * dataset; the shared settings first, then the family's own, in the schema's order.
 */
export function settingsOf(state: LabState): Record<string, string> {
  const defaults = defaultsFor(state.family, state.dataset);
  const settings: Record<string, string> = { family: state.family };
  if (state.dataset !== family(state.family).default_dataset) settings.dataset = state.dataset;
  if (state.backend !== defaults.backend) settings.backend = state.backend;
  for (const { name } of SHARED) {
    if (state.shared[name] !== defaults.shared[name]) settings[name] = String(state.shared[name]);
  }
  for (const { name } of family(state.family).settings) {
    if (state.settings[name] !== defaults.settings[name]) settings[name] = String(state.settings[name]);
  }
  return settings;
}

/** The query string of a state, listing only what differs from its family's defaults. */
export function toQuery(state: LabState): string {
  const { family, ...rest } = settingsOf(state);
  const params = new URLSearchParams(family === DEFAULT_FAMILY ? rest : { family, ...rest });
  const query = params.toString();
  return query === "" ? "" : `?${query}`;
}

/** The options object the family's `create` receives: the dataset, the shared settings and its own. */
export function labOptions(state: LabState): Record<string, SettingValue> {
  const options: Record<string, SettingValue> = { dataset: state.dataset };
  for (const { name } of SHARED) options[name] = state.shared[name];
  for (const { name } of family(state.family).settings) options[name] = state.settings[name];
  return options;
}

/**
 * The state after choosing family `name`: its defaults on the same data (or on its own default
 * dataset if it cannot learn this one), keeping the backend and each shared setting (seed,
 * learning rate, batch size) the user changed from the previous family's defaults.
 */
export function withFamily(state: LabState, name: FamilyName): LabState {
  const dataset = pairingError(name, state.dataset) === null ? state.dataset : undefined;
  const next = defaultsFor(name, dataset);
  const previous = defaultsFor(state.family, state.dataset);
  const shared = { ...next.shared };
  for (const { name: key } of SHARED) if (state.shared[key] !== previous.shared[key]) shared[key] = state.shared[key];
  return { ...next, backend: state.backend, shared };
}

/**
 * The state after choosing `dataset`. A family that cannot learn it gives way to the default
 * family (which learns both kinds), keeping the backend and the seed; between points and
 * images, the settings the family's image defaults name are set once to its defaults for the
 * new kind of data; all else is kept.
 */
export function withDataset(state: LabState, dataset: NamedDataset): LabState {
  if (pairingError(state.family, dataset) !== null) {
    const fresh = defaultsFor(DEFAULT_FAMILY, dataset);
    return { ...fresh, backend: state.backend, shared: { ...fresh.shared, seed: state.shared.seed } };
  }
  if (dataKindOf(dataset) === dataKindOf(state.dataset)) return { ...state, dataset };
  const fresh = defaultsFor(state.family, dataset);
  const shared: Record<string, SettingValue> = { ...state.shared };
  const settings = { ...state.settings };
  for (const key of Object.keys(family(state.family).image_defaults)) {
    if (key in shared) shared[key] = fresh.shared[key as keyof SharedSettings];
    else if (key in settings) settings[key] = fresh.settings[key];
  }
  return { ...state, dataset, shared: shared as unknown as SharedSettings, settings };
}

/** The entries of `to` that differ from `from`. */
function differing<T extends object>(from: T, to: T): Partial<T> {
  return Object.fromEntries(Object.entries(to).filter(([key, value]) => from[key as keyof T] !== value)) as Partial<T>;
}

/** The settings of `to` that differ from `from` (`withChange(from, changes(from, to))` is `to`). */
export function changes(from: LabState, to: LabState): LabPatch {
  const patch: LabPatch = {};
  if (to.family !== from.family) patch.family = to.family;
  if (to.dataset !== from.dataset) patch.dataset = to.dataset;
  if (to.backend !== from.backend) patch.backend = to.backend;
  const shared = differing(from.shared, to.shared);
  if (Object.keys(shared).length > 0) patch.shared = shared;
  const settings = differing(from.settings, to.settings) as Record<string, SettingValue>;
  if (Object.keys(settings).length > 0) patch.settings = settings;
  return patch;
}

/** `state` with `patch` applied; of the settings, those of the (new) family's own. */
export function withChange(state: LabState, patch: LabPatch): LabState {
  const next = { ...state, ...patch, shared: { ...state.shared, ...patch.shared } };
  const entry = family(next.family);
  const merged = { ...state.settings, ...patch.settings };
  next.settings = Object.fromEntries(entry.settings.map(({ name }) => [name, merged[name]]));
  return next;
}

/**
 * The settings `patch` changes, when it changes nothing but sampling-only settings of family
 * `name` (applied to the trained model without a reset); null otherwise.
 */
export function samplingChange(name: FamilyName, patch: LabPatch): Record<string, SettingValue> | null {
  const { settings = {}, ...others } = patch;
  const entry = family(name);
  const sampling = Object.keys(settings).every((key) => settingOf(entry, key)?.sampling === true);
  return Object.keys(others).length === 0 && sampling ? settings : null;
}

/** What a settings change (`patch`) did, in words. */
export function describeChange(patch: LabPatch): string {
  const { family: name, dataset, shared = {}, settings = {}, ...others } = patch;
  const rest = [...Object.keys(others), ...Object.keys(shared), ...Object.keys(settings)].join(", ");
  if (name !== undefined) {
    const label = family(name).label;
    return dataset === undefined ? `family changed to ${label}` : `dataset changed to ${dataset}, and family to ${label}, which learns it`;
  }
  if (dataset === undefined) return `${rest} changed`;
  return rest === "" ? `dataset changed to ${dataset}` : `dataset changed to ${dataset}, with the family's defaults for it of ${rest}`;
}
