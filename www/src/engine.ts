// Where labs run. The page talks to every lab through one `Lab` interface, whose calls all
// return promises; an `Engine` creates labs either in a Web Worker (training off the main thread,
// so the page keeps drawing) or, where a worker cannot start or get the device, on the main
// thread. Both run the same `LabTable`: the worker wraps it in messages. A Rust panic traps the
// wasm instance (a `WebAssembly.RuntimeError`) and leaves it unusable: its engine then rejects
// every call in flight and every later one, and tells the page once (`onCrash`).

import type {
  ActionInfo,
  BackendInfo,
  BackendPreference,
  CrashKind,
  Evaluation,
  GenLab,
  TrainReport,
  ViewData,
  ViewInfo,
} from "./genlab";
import type { FamilyClassName } from "./families";
import type { SettingValue } from "./generated/schema";
import { CrashGuard, errorFrom, errorText, type ErrorData } from "./errors";

export { errorData, errorFrom, errorText, isCrash, type ErrorData } from "./errors";

/** What a lab says about itself when it is created. */
export interface LabInfo {
  backend: BackendInfo;
  /** What the lab trains on, e.g. `"moons"` or `"your 120 points"`. */
  dataName: string;
  views: ViewInfo[];
  actions: ActionInfo[];
  options: Record<string, unknown>;
}

/** The methods a lab handle answers (the wasm classes' methods the page uses). */
export const LAB_METHODS = [
  "train",
  "act",
  "evaluate",
  "view",
  "setSampling",
  "exportWeights",
  "importWeights",
] as const;
/** One of [`LAB_METHODS`]. */
export type LabMethod = (typeof LAB_METHODS)[number];

/** A lab wherever it runs; every call resolves once the lab has answered. */
export interface Lab {
  readonly info: LabInfo;
  train(steps: number): Promise<TrainReport>;
  /** One of the family's own actions (see `info.actions`): a fine-grained step, or a change or
   *  measurement of the model (e.g. reflow) that reports its statistics. */
  act(name: string): Promise<TrainReport>;
  evaluate(n: number): Promise<Evaluation>;
  view(name: string, points: Float32Array, parameter: number): Promise<ViewData>;
  /** Sampling-only settings for the trained model; resolves to every option afterwards. */
  setSampling(patch: Record<string, SettingValue>): Promise<Record<string, unknown>>;
  /** The weights file of the current model. */
  exportWeights(): Promise<Uint8Array>;
  /** Loads a weights file; resolves to the step it was saved at. */
  importWeights(bytes: Uint8Array): Promise<number>;
  free(): void;
}

/** How many threads train on the CPU backend, and why that many. */
export interface Threads {
  count: number;
  why: string;
}

/** Creates labs. */
export interface Engine {
  /** Where labs run, in words ("a Web Worker", "the main thread: …why"). */
  readonly where: string;
  /** The threads that train on the CPU backend, and why that many (shown on the backend badge). */
  readonly threads: Threads;
  /** Called once if the wasm instance behind the labs crashes, with the reason; its labs are dead. */
  onCrash: ((reason: string) => void) | null;
  initBackend(preference: BackendPreference): Promise<BackendInfo>;
  create(className: FamilyClassName, options: object): Promise<Lab>;
  /** Makes the wasm instance behind the labs crash, by a panic or a bare trap (a test hook of crash recovery). */
  simulateCrash(kind: CrashKind): Promise<void>;
  /**
   * Makes every later call of a WebGPU lab fail as a lost GPU device would (a test hook of the
   * fallback to the CPU; labs created afterwards on the CPU are unaffected).
   */
  simulateDeviceLoss(): Promise<void>;
}

type Handle = Record<string, unknown> & { free(): void };

/** The labs of one wasm instance, by number. */
export class LabTable {
  private readonly labs = new Map<number, Handle>();
  /** Labs that run on WebGPU. */
  private readonly onGpu = new Set<number>();
  private deviceLost = false;
  private next = 1;

  constructor(private readonly genlab: GenLab) {}

  /** Chooses the backend of labs created afterwards. */
  initBackend(preference: BackendPreference): Promise<BackendInfo> {
    return this.genlab.initBackend(preference);
  }

  /** Creates a lab of `className`; resolves to its number and what it says about itself. */
  async create(className: FamilyClassName, options: object): Promise<{ id: number; info: LabInfo }> {
    const handle = (await this.genlab[className].create(options)) as unknown as Handle;
    const call = (name: string) => (handle[name] as () => unknown).call(handle);
    const info: LabInfo = {
      backend: call("backend") as BackendInfo,
      dataName: call("dataName") as string,
      views: call("views") as ViewInfo[],
      actions: call("actions") as ActionInfo[],
      options: call("options") as Record<string, unknown>,
    };
    const id = this.next++;
    this.labs.set(id, handle);
    if (info.backend.backend === "webgpu") this.onGpu.add(id);
    return { id, info };
  }

  /** Calls `method` of lab `id`. */
  async call(id: number, method: string, args: unknown[]): Promise<unknown> {
    const handle = this.labs.get(id);
    if (handle === undefined) throw new Error("this lab was freed");
    if (this.deviceLost && this.onGpu.has(id)) throw new Error("the GPU device was lost (DeviceLost, simulated)");
    const fn = handle[method];
    if (!(LAB_METHODS as readonly string[]).includes(method) || typeof fn !== "function") {
      throw new Error(`this lab has no method ${method}`);
    }
    return await (fn as (...a: unknown[]) => unknown).apply(handle, args);
  }

  /** Frees lab `id`. */
  free(id: number): void {
    this.labs.get(id)?.free();
    this.labs.delete(id);
    this.onGpu.delete(id);
  }

  /** Crashes the instance on purpose (a Rust panic or a bare trap): it is unusable from then on. */
  simulateCrash(kind: CrashKind): void {
    this.genlab.simulateCrash(kind);
  }

  /** From now on, calls of WebGPU labs fail as after a lost device (a test hook). */
  simulateDeviceLoss(): void {
    this.deviceLost = true;
  }
}

/**
 * A `Lab` whose calls go through `send(method, args)`, one at a time: a call waits for the
 * previous one on this lab to settle (a lab refuses overlapping calls), so the page may pause
 * and act at once without a "busy" error.
 */
function proxyLab(info: LabInfo, send: (method: LabMethod, args: unknown[]) => Promise<unknown>, free: () => void): Lab {
  let previous: Promise<unknown> = Promise.resolve();
  let freed = false;
  const call = (method: LabMethod, args: unknown[]): Promise<unknown> => {
    const next = previous.then(
      () => send(method, args),
      () => send(method, args),
    );
    previous = next.catch(() => undefined);
    return next;
  };
  return {
    info,
    train: (steps) => call("train", [steps]) as Promise<TrainReport>,
    act: (name) => call("act", [name]) as Promise<TrainReport>,
    evaluate: (n) => call("evaluate", [n]) as Promise<Evaluation>,
    view: (name, points, parameter) => call("view", [name, points, parameter]) as Promise<ViewData>,
    setSampling: async (patch) => {
      info.options = (await call("setSampling", [patch])) as Record<string, unknown>;
      return info.options;
    },
    exportWeights: () => call("exportWeights", []) as Promise<Uint8Array>,
    importWeights: (bytes) => call("importWeights", [bytes]) as Promise<number>,
    free: () => {
      if (freed) return;
      freed = true;
      free();
    },
  };
}

/**
 * The labs of crashed instances, kept for good: were they collected, their finalizers would run
 * the crashed instance's code again (and its traps would look like a live instance's).
 */
const crashedLabs: LabTable[] = [];

/**
 * Labs on the main thread (the fallback). A panic inside an asynchronous call traps in a
 * microtask, outside any call's promise: the page's uncaught errors are watched for traps too.
 */
export class MainThreadEngine implements Engine {
  onCrash: ((reason: string) => void) | null = null;
  private readonly table: LabTable;
  private readonly watching = new AbortController();
  private readonly guard = new CrashGuard((reason) => {
    this.watching.abort();
    crashedLabs.push(this.table);
    this.onCrash?.(reason);
  });

  readonly threads = { count: 1, why: "one thread: the threaded module runs only in a Web Worker" };

  constructor(
    genlab: GenLab,
    readonly where: string,
  ) {
    this.table = new LabTable(genlab);
    const trapped = (error: unknown) => {
      if (error instanceof WebAssembly.RuntimeError) this.guard.fail(errorText(error));
    };
    const signal = this.watching.signal;
    addEventListener("error", (event: ErrorEvent) => trapped(event.error), { signal });
    addEventListener("unhandledrejection", (event: PromiseRejectionEvent) => trapped(event.reason), { signal });
  }

  initBackend(preference: BackendPreference): Promise<BackendInfo> {
    return this.guard.run(() => this.table.initBackend(preference));
  }

  async create(className: FamilyClassName, options: object): Promise<Lab> {
    const { id, info } = await this.guard.run(() => this.table.create(className, options));
    return proxyLab(
      info,
      (method, args) => this.guard.run(() => this.table.call(id, method, args)),
      () => {
        if (!this.guard.dead) this.table.free(id);
      },
    );
  }

  simulateCrash(kind: CrashKind): Promise<void> {
    return this.guard.run(() => this.table.simulateCrash(kind));
  }

  async simulateDeviceLoss(): Promise<void> {
    this.table.simulateDeviceLoss();
  }
}

/** A request to the worker (see `worker.ts`). */
export type WorkerRequest =
  | { id: number; op: "init"; bindings: string; wasm: string; threads: number; panicChannel: string }
  | { id: number; op: "backend"; preference: BackendPreference }
  | { id: number; op: "create"; className: FamilyClassName; options: object }
  | { id: number; op: "call"; lab: number; method: LabMethod; args: unknown[] }
  | { id: number; op: "free"; lab: number }
  | { id: number; op: "crash"; kind: CrashKind }
  | { id: number; op: "device-loss" };

/** The worker's answer to request `id`. */
export type WorkerReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: ErrorData };

/** The worker's notice that its wasm instance trapped outside any request (inside a microtask). */
export interface WorkerCrash {
  crash: string;
}

/** Distributive `Omit`, so each request kind keeps its own fields. */
type WithoutId<T> = T extends unknown ? Omit<T, "id"> : never;

/**
 * Labs in a Web Worker: every call is a message; typed arrays come back transferred. A crash of
 * the worker's wasm instance (or of the worker) terminates it.
 */
export class WorkerEngine implements Engine {
  readonly where = "a Web Worker (the page keeps drawing while it trains)";
  onCrash: ((reason: string) => void) | null = null;
  private next = 1;
  private readonly pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  /** Labs created here and not freed yet. */
  private liveLabs = 0;
  /** The page has moved to another engine: the worker stops once its last lab is freed. */
  private retired = false;
  private readonly guard = new CrashGuard((reason) => {
    this.worker.terminate();
    this.panics.close();
    this.pending.clear();
    this.onCrash?.(reason);
  });
  /** Where the module posts a panic's message from any of its threads (see `worker.ts`). */
  private readonly panics = new BroadcastChannel(`genlab-panics-${Date.now()}-${Math.random().toString(36).slice(2)}`);

  private constructor(
    private readonly worker: Worker,
    readonly threads: Threads,
  ) {
    this.panics.onmessage = (event: MessageEvent<string>) => this.guard.fail(String(event.data).replace(/\s+/g, " "));
    worker.addEventListener("message", (event: MessageEvent<WorkerReply | WorkerCrash>) => {
      const reply = event.data;
      if ("crash" in reply) return this.guard.fail(reply.crash);
      const waiting = this.pending.get(reply.id);
      if (waiting === undefined) return;
      this.pending.delete(reply.id);
      if (reply.ok) waiting.resolve(reply.value);
      else waiting.reject(errorFrom(reply.error));
    });
    worker.addEventListener("error", (event) => this.guard.fail(`the worker failed: ${event.message}`));
  }

  /**
   * Starts the worker at `workerUrl` and loads the wasm module into it; with `threads.count` > 1
   * (the threaded module), the worker starts a rayon pool of that many threads before any lab.
   */
  static async start(workerUrl: string, bindings: string, wasm: string, threads: Threads): Promise<WorkerEngine> {
    const engine = new WorkerEngine(new Worker(workerUrl, { type: "module", name: "genlab" }), threads);
    try {
      await engine.request({ op: "init", bindings, wasm, threads: threads.count, panicChannel: engine.panics.name });
    } catch (error) {
      engine.worker.terminate();
      engine.panics.close();
      throw error;
    }
    return engine;
  }

  private request(message: WithoutId<WorkerRequest>): Promise<unknown> {
    return this.guard.run(() => {
      const id = this.next++;
      return new Promise((resolve, reject) => {
        this.pending.set(id, { resolve, reject });
        this.worker.postMessage({ ...message, id });
      });
    });
  }

  initBackend(preference: BackendPreference): Promise<BackendInfo> {
    return this.request({ op: "backend", preference }) as Promise<BackendInfo>;
  }

  async create(className: FamilyClassName, options: object): Promise<Lab> {
    const { id, info } = (await this.request({ op: "create", className, options })) as { id: number; info: LabInfo };
    this.liveLabs += 1;
    return proxyLab(
      info,
      (method, args) => this.request({ op: "call", lab: id, method, args }),
      () =>
        void this.request({ op: "free", lab: id })
          .catch(() => undefined)
          .finally(() => {
            this.liveLabs -= 1;
            this.stopIfRetired();
          }),
    );
  }

  /**
   * The page runs its labs elsewhere from now on (a forced WebGPU replaced this threaded worker):
   * the worker, with its pool, stops once the labs still here are freed (they are rebuilt on the
   * new engine), at once if there are none.
   */
  retire(): void {
    this.retired = true;
    this.stopIfRetired();
  }

  private stopIfRetired(): void {
    if (this.retired && this.liveLabs === 0) {
      this.worker.terminate();
      this.panics.close();
    }
  }

  async simulateCrash(kind: CrashKind): Promise<void> {
    await this.request({ op: "crash", kind });
  }

  async simulateDeviceLoss(): Promise<void> {
    await this.request({ op: "device-loss" });
  }
}

/**
 * The buffers of the typed arrays in `value` (one level deep), to transfer instead of copy; only
 * arrays that own their whole buffer (never a view into wasm memory, which must not detach).
 */
export function transferables(value: unknown): ArrayBuffer[] {
  const found: ArrayBuffer[] = [];
  const take = (v: unknown) => {
    if (!ArrayBuffer.isView(v) || !(v.buffer instanceof ArrayBuffer)) return;
    if (v.byteOffset === 0 && v.byteLength === v.buffer.byteLength && !found.includes(v.buffer)) found.push(v.buffer);
  };
  take(value);
  if (typeof value === "object" && value !== null && !ArrayBuffer.isView(value)) {
    for (const v of Object.values(value)) take(v);
  }
  return found;
}
