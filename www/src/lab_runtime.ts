// Where the notebook's labs run: the engine (a worker or the main thread) and its backend. The
// backend the notebook asks for is tried, with each fallback said (the main thread when the
// worker cannot get it, the CPU when WebGPU cannot run anywhere); the badges show the result.
// The engine's crash and a lab's GPU fault go to the recovery (`recovery.ts`), which replaces
// the engine or moves the labs to the CPU.

import { MainThreadEngine, WorkerEngine, errorText, type Engine } from "./engine";
import { restartEngine, startEngine, type ModuleUrls } from "./engine_start";
import type { BackendInfo, BackendPreference, CrashKind, GenLab } from "./genlab";
import type { PageElements } from "./page_elements";
import { Recovery, type RecoverableLab } from "./recovery";

/** What the runtime needs of the notebook page. */
export interface LabRuntimeHost {
  /** The lab cells in notebook order, each with its name in messages. */
  labs(): { lab: RecoverableLab; name: string }[];
  /** Shows a notebook-level message. */
  say(text: string): void;
}

/** The engine and backend the labs run on (see the top of this file). */
export class LabRuntime {
  /** The backend the notebook asks for. */
  private backend: BackendPreference = "auto";
  /** The GPU failed: labs run on the CPU until the user chooses a backend. */
  private gpuFailed = false;
  private readonly recovery: Recovery;

  constructor(
    /** The page's own elements (the backend chooser and the badges). */
    private readonly page: PageElements,
    /** The module on the main thread (dataset metadata, weights checks); replaced after its crash. */
    private mainModule: GenLab,
    /** Where labs run; becomes the main thread if the worker cannot get the chosen backend. */
    private labEngine: Engine,
    private urls: ModuleUrls,
    private readonly host: LabRuntimeHost,
  ) {
    this.recovery = new Recovery({
      labs: () => host.labs(),
      replaceEngine: async () => {
        const { engine, genlab } = await restartEngine(this.labEngine, this.mainModule, this.urls);
        this.mainModule = genlab;
        this.useEngine(engine);
        await this.startBackend();
      },
      useCpu: async (why) => {
        this.gpuFailed = true;
        this.showBackend({ ...(await this.labEngine.initBackend("cpu")), reason: `The GPU failed (${why}); labs run on the CPU.` });
      },
      say: (text) => host.say(text),
    });
    this.useEngine(labEngine);
  }

  /** Where labs run (see the constructor). */
  get engine(): Engine {
    return this.labEngine;
  }

  /** The module on the main thread (see the constructor). */
  get genlab(): GenLab {
    return this.mainModule;
  }

  /** The backend the notebook asks for. */
  get preference(): BackendPreference {
    return this.backend;
  }

  /** A notebook is loaded: its backend is shown in the chooser and started (after a GPU failure, still the CPU). */
  async open(preference: BackendPreference): Promise<void> {
    this.backend = preference;
    this.page.backend.value = preference;
    await this.startBackend();
  }

  /** The user chose a backend: it is tried afresh, even after the GPU failed. */
  async choose(preference: BackendPreference): Promise<void> {
    this.backend = preference;
    this.gpuFailed = false;
    await this.startBackend();
  }

  /** `lab` (named `name` in messages) failed with a GPU fault (`message`): the recovery moves it to the CPU. */
  deviceFault(lab: RecoverableLab, name: string, message: string): void {
    this.recovery.deviceFault(lab, name, message);
  }

  /** Makes the engine that runs the labs crash (a test hook: a `genlab:simulate-crash` event). */
  simulateCrash(kind: CrashKind): void {
    void this.labEngine.simulateCrash(kind).catch(() => undefined);
  }

  /** Loses the GPU device of WebGPU labs (a test hook: a `genlab:simulate-device-loss` event). */
  simulateDeviceLoss(): void {
    void this.labEngine.simulateDeviceLoss().catch(() => undefined);
  }

  /** Runs labs in `engine` from now on; its crash starts the recovery. */
  private useEngine(engine: Engine): void {
    this.labEngine = engine;
    engine.onCrash = (reason) => {
      if (engine === this.labEngine) this.recovery.engineCrashed(reason);
    };
  }

  /**
   * Chooses the backend. A forced WebGPU replaces a threaded worker (whose module has no WebGPU)
   * by a one-thread worker with the page's module, for the rest of the page's life; the threaded
   * one stops once the labs still on it are freed (the page rebuilds them). If the
   * worker cannot get the backend, labs move to the main thread; a forced WebGPU that cannot run
   * anywhere falls back to the CPU. Each fallback is said.
   */
  private async startBackend(): Promise<void> {
    const preference = this.gpuFailed ? "cpu" : this.backend;
    if (preference === "webgpu" && this.labEngine.threads.count > 1) {
      this.urls = { ...this.urls, workerModule: { threaded: null, why: "one thread: WebGPU was chosen, and the threaded module has none" } };
      const threaded = this.labEngine;
      this.useEngine(await startEngine(this.mainModule, this.urls));
      if (threaded instanceof WorkerEngine) threaded.retire();
    }
    let info: BackendInfo;
    try {
      info = await this.labEngine.initBackend(preference);
    } catch (error) {
      if (this.labEngine instanceof WorkerEngine) {
        const main = new MainThreadEngine(this.mainModule, `the main thread: the worker could not get ${preference} (${errorText(error)})`);
        try {
          info = await main.initBackend(preference);
          this.useEngine(main);
        } catch {
          info = await this.cpuFallback(error);
        }
      } else {
        info = await this.cpuFallback(error);
      }
    }
    this.showBackend(info);
  }

  /** The backend badge (and its reason on hover) and where labs run. */
  private showBackend(info: BackendInfo): void {
    const badge = this.page.backendBadge;
    const cpu = info.backend === "cpu";
    const threads = this.labEngine.threads;
    const threadCount = threads.count > 1 ? ` · ${threads.count} threads` : "";
    badge.textContent = cpu ? `CPU (${this.mainModule.cpuInstructions()}${threadCount})` : `WebGPU · ${info.adapter ?? "adapter"}`;
    badge.title = cpu ? `${info.reason}; ${this.urls.cpuModule.why}; ${threads.why}` : info.reason;
    badge.dataset.threads = String(cpu ? threads.count : 1);
    badge.className = `badge ${info.backend}`;
    badge.dataset.backend = info.backend;
    const where = this.page.engineBadge;
    const inWorker = this.labEngine instanceof WorkerEngine;
    where.textContent = inWorker ? "in a worker" : "on the main thread";
    where.title = `Training runs in ${this.labEngine.where}`;
    where.dataset.engine = inWorker ? "worker" : "main";
  }

  private async cpuFallback(error: unknown): Promise<BackendInfo> {
    this.host.say(`${errorText(error)} — using the CPU backend instead.`);
    return this.labEngine.initBackend("cpu");
  }
}
