// The wasm module's JavaScript API, typed: every option and result type is generated from Rust
// (`generated/api.ts`: the options from the schema, the results from `src/schema/results.ts`,
// checked against what Rust returns); this file adds the module's functions and classes.

import type {
  ActionInfo,
  BackendInfo,
  Bounds,
  CompareOptions,
  Comparison,
  DatasetInfo,
  DatasetSpec,
  Evaluation,
  FamilyClassName,
  OptionsByClass,
  TrainOptions,
  TrainReport,
  ViewData,
  ViewInfo,
  WeightsInfo,
} from "./generated/api";

export type * from "./generated/api";

/** The backend requested: automatic, CPU, or WebGPU (forced). */
export type BackendPreference = "auto" | "cpu" | "webgpu";

/** How a test hook crashes the instance: a Rust panic (its message told) or a bare wasm trap (nothing told). */
export type CrashKind = "panic" | "trap";

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

/** Every family's class, by class name (the names and options generated from the schema). */
export type FamilyClasses = { [Class in FamilyClassName]: FamilyClass<OptionsByClass[Class]> };

/** The module's exports. */
export interface GenLab extends FamilyClasses {
  initBackend(preference?: BackendPreference): Promise<BackendInfo>;
  datasets(): DatasetInfo[];
  datasetSample(dataset: DatasetSpec, n: number, seed: number): Float32Array;
  densityGrid(dataset: DatasetSpec, bounds: Bounds, resolution: number): Float64Array;
  datasetScore(dataset: DatasetSpec, points: Float32Array, sigma: number): Float64Array;
  /** The divergence panel between a 2-D dataset and your own points (16 … 16 384 of them). */
  compareSamples(dataset: DatasetSpec, samples: Float32Array, options?: CompareOptions): Comparison;
  /** Checks a weights file and says what it holds (without loading it). */
  weightsInfo(bytes: Uint8Array): WeightsInfo;
  /** The CPU instructions of this module's matrix products: `"wasm SIMD + FMA"` or `"wasm SIMD"`. */
  cpuInstructions(): string;
  /** What `initBackend("auto")` would consider before its timing probe (a hardware adapter or why none), choosing nothing. */
  webgpuCandidate(): Promise<BackendInfo>;
  /** The threaded module only: starts its rayon pool of `threads` Web Workers (call once, in a worker, before any lab). */
  initThreadPool?(threads: number): Promise<void>;
  /** From now on every panic's message is also posted on the `BroadcastChannel` named `channel`, from whichever thread panics. */
  reportPanicsOn(channel: string): void;
  /**
   * Crashes on purpose where labs train (a test hook): a Rust panic (`"panic"`, its message told)
   * or a bare wasm trap (`"trap"`, nothing told); the instance is unusable from then on.
   */
  simulateCrash(kind: CrashKind): void;
}

interface BindgenModule extends GenLab {
  default(init: { module_or_path: string }): Promise<unknown>;
}

/**
 * Loads the wasm-bindgen glue from `bindingsUrl` and instantiates the module from `wasmUrl`
 * (Trunk writes both URLs, content-hashed, onto the page's script tag). With `panicChannel`, every
 * panic's message is posted on the `BroadcastChannel` of that name. With `threads` > 1 (the
 * threaded module, in a worker), starts its rayon pool before any lab; a trap on a thread of the
 * pool is posted on `panicChannel` too (its worker helper reads the name from
 * `globalThis.genlabPanicChannel`: scripts/patch-rayon-helper.mjs).
 */
export async function loadGenLab(bindingsUrl: string, wasmUrl: string, threads = 1, panicChannel?: string): Promise<GenLab> {
  const module = (await import(bindingsUrl)) as BindgenModule;
  await module.default({ module_or_path: wasmUrl });
  if (panicChannel !== undefined) module.reportPanicsOn(panicChannel);
  if (threads > 1) {
    if (module.initThreadPool === undefined) throw new Error(`${bindingsUrl} is not the threaded module (it has no initThreadPool)`);
    (globalThis as { genlabPanicChannel?: string }).genlabPanicChannel = panicChannel;
    await module.initThreadPool(threads);
  }
  return module;
}
