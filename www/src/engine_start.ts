// Starting the engine that runs the labs: at page load, a Web Worker unless the browser has
// none, it fails to start, or the page asks for the main thread (`?worker=0`, used to compare the
// two); after a crash, a fresh engine of the same kind.

import type { CpuModule, WorkerModule } from "./cpu_module";
import { MainThreadEngine, WorkerEngine, errorText, type Engine } from "./engine";
import { loadGenLab, type GenLab } from "./genlab";

/** Where the module and the worker come from (Trunk writes the URLs on the page's script tag). */
export interface ModuleUrls {
  /** The wasm-bindgen glue. */
  bindings: string;
  /** The wasm module (the relaxed-SIMD one where the browser runs it): its URL, and why. */
  cpuModule: CpuModule;
  /** `worker.js`, bundled beside `app.js`. */
  worker: string;
  /** What the worker runs on the CPU: the threaded module or the page's module on one thread. */
  workerModule: WorkerModule;
}

/**
 * Labs in a Web Worker where possible (the threaded module's where `urls.workerModule` has it and
 * it starts, else the page's module on one thread), otherwise on the main thread with the page's
 * `genlab`.
 */
export async function startEngine(genlab: GenLab, urls: ModuleUrls): Promise<Engine> {
  if (new URLSearchParams(location.search).get("worker") === "0") return new MainThreadEngine(genlab, "the main thread (asked for by ?worker=0)");
  if (typeof Worker === "undefined") return new MainThreadEngine(genlab, "the main thread: this browser has no Web Workers");
  const absolute = (url: string) => new URL(url, document.baseURI).href;
  const threaded = urls.workerModule.threaded;
  let oneThread = urls.workerModule.why;
  if (threaded !== null) {
    try {
      return await WorkerEngine.start(absolute(urls.worker), threaded.bindings, threaded.wasm, { count: threaded.threads, why: urls.workerModule.why });
    } catch (error) {
      oneThread = `one thread: the threaded module did not start (${errorText(error)})`;
    }
  }
  try {
    return await WorkerEngine.start(absolute(urls.worker), absolute(urls.bindings), absolute(urls.cpuModule.url), { count: 1, why: oneThread });
  } catch (error) {
    return new MainThreadEngine(genlab, `the main thread: the worker could not start (${errorText(error)})`);
  }
}

/** Fresh module instances loaded so far (each needs its own URL: a module is evaluated once). */
let instances = 0;

/**
 * A fresh engine to replace `crashed`: a new worker, or on the main thread a new instance of the
 * module (the crashed one stays unusable), which then also serves as the page's `genlab`.
 */
export async function restartEngine(crashed: Engine, genlab: GenLab, urls: ModuleUrls): Promise<{ engine: Engine; genlab: GenLab }> {
  if (crashed instanceof WorkerEngine) return { engine: await startEngine(genlab, urls), genlab };
  instances += 1;
  const bindings = new URL(urls.bindings, document.baseURI);
  bindings.searchParams.set("instance", String(instances));
  const fresh = await loadGenLab(bindings.href, urls.cpuModule.url);
  return { engine: new MainThreadEngine(fresh, crashed.where), genlab: fresh };
}
