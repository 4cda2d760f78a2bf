// Which of the two wasm modules the page loads. Trunk builds the crate once with SIMD
// (`simd128`, every current browser) and once more with relaxed SIMD
// (scripts/build-relaxed-module), whose matrix products multiply and add in one fused
// `f32x4.relaxed_madd`. A browser that cannot compile relaxed SIMD would reject the whole second
// module, so the page asks first: `WebAssembly.validate` of a tiny module that uses the
// instruction. `?simd=plain` keeps the first module anyway (to compare the two).
//
// The worker may run a third, threaded module on the CPU (scripts/build-threads-module): relaxed
// SIMD too, with shared memory and a rayon pool. It needs a cross-origin isolated page and has no
// WebGPU, so it is chosen only where isolation holds and no usable hardware adapter exists
// (`chooseThreads`); `?threads=off` keeps one thread.


import type { BackendInfo } from "./genlab";

/**
 * A module of one function `(a, b, c) → f32x4.relaxed_madd(a, b, c)` on three `v128`s: valid
 * exactly where the engine has relaxed SIMD.
 */
export const RELAXED_MADD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version 1
  0x01, 0x08, 0x01, 0x60, 0x03, 0x7b, 0x7b, 0x7b, 0x01, 0x7b, // types: (v128 ×3) → v128
  0x03, 0x02, 0x01, 0x00, // functions: one, of type 0
  0x0a, 0x0d, 0x01, 0x0b, 0x00, // code: one body of 11 bytes, no locals
  0x20, 0x00, 0x20, 0x01, 0x20, 0x02, // local.get 0, 1, 2
  0xfd, 0x85, 0x02, // f32x4.relaxed_madd (0xfd 261)
  0x0b, // end
]);

/** Whether this engine compiles WebAssembly relaxed SIMD. */
export function hasRelaxedSimd(validate: (bytes: Uint8Array<ArrayBuffer>) => boolean = (bytes) => WebAssembly.validate(bytes)): boolean {
  try {
    return validate(RELAXED_MADD_PROBE);
  } catch {
    return false;
  }
}

/** The module chosen, and why (shown on the backend badge). */
export interface CpuModule {
  /** The wasm module's URL. */
  url: string;
  /** `"relaxed"`: fused multiply-add in the matrix products; `"plain"`: SIMD multiply, then add. */
  kind: "relaxed" | "plain";
  /** Why this module, in a sentence. */
  why: string;
}

/**
 * The relaxed-SIMD module where the page has one, the browser runs relaxed SIMD and `query` does
 * not ask for `simd=plain`; the plain module otherwise.
 */
export function chooseCpuModule(plain: string, relaxed: string | undefined, query: string, relaxedSimd: () => boolean = hasRelaxedSimd): CpuModule {
  const plainModule = (why: string): CpuModule => ({ url: plain, kind: "plain", why });
  if (new URLSearchParams(query).get("simd") === "plain") return plainModule("the plain SIMD module, as the link asks (simd=plain)");
  if (relaxed === undefined) return plainModule("the plain SIMD module: this build has no relaxed-SIMD module");
  if (!relaxedSimd()) return plainModule("the plain SIMD module: this browser does not run WebAssembly relaxed SIMD");
  return { url: relaxed, kind: "relaxed", why: "the relaxed-SIMD module: matrix products use fused multiply-add (f32x4.relaxed_madd)" };
}

/**
 * Rayon's Web Workers in the threaded module: the fused layers' products split in two
 * (src/models/parallel.rs), so a third thread would have nothing to do.
 */
export const POOL_THREADS = 2;

/** The threaded CPU module (scripts/build-threads-module), as the worker loads it. */
export interface ThreadedModule {
  /** Its own wasm-bindgen glue (it imports shared memory). */
  bindings: string;
  /** Its `.wasm`, beside the glue. */
  wasm: string;
  /** The rayon pool's size. */
  threads: number;
}

/** What the worker runs on the CPU: the threaded module, or the page's module on one thread; and why. */
export interface WorkerModule {
  /** The threaded module, or null for the page's module on one thread. */
  threaded: ThreadedModule | null;
  /** Why, in a sentence (shown on the backend badge). */
  why: string;
}

/** What the choice of the worker's module depends on (the page's globals, as arguments for tests). */
export interface ThreadsConditions {
  /** The page's query string (`?threads=off` keeps one thread). */
  query: string;
  /** `crossOriginIsolated`: shared memory, hence threads, exist only then. */
  isolated: boolean;
  /** `navigator.hardwareConcurrency`. */
  cores: number;
  /** The page's module is the relaxed-SIMD one (the threaded module uses relaxed SIMD too). */
  relaxed: boolean;
  /** The page module's `webgpuCandidate()`: asked last, as it requests an adapter. */
  webgpu: () => Promise<BackendInfo>;
}

/**
 * The threaded module where the build has it (`threads`: its glue's URL), the link does not say
 * `threads=off`, the page is cross-origin isolated and runs relaxed SIMD, the device has two cores and no usable
 * hardware WebGPU adapter exists (the threaded module has no WebGPU: with an adapter, the
 * worker keeps the page's module, which has both). One thread otherwise, saying why.
 */
export async function chooseThreads(threads: string | undefined, conditions: ThreadsConditions): Promise<WorkerModule> {
  const oneThread = (why: string): WorkerModule => ({ threaded: null, why: `one thread: ${why}` });
  if (new URLSearchParams(conditions.query).get("threads") === "off") return oneThread("as the link asks (threads=off)");
  if (threads === undefined) return oneThread("this build has no threaded module");
  if (!conditions.isolated) {
    return oneThread("the page is not cross-origin isolated (its server sends no COOP/COEP headers and no service worker adds them), so the browser gives it no shared memory");
  }
  if (!conditions.relaxed) return oneThread("the threaded module uses relaxed SIMD, and the page runs the plain SIMD module");
  if (conditions.cores < POOL_THREADS) return oneThread(`this device reports ${conditions.cores} core`);
  const webgpu = await conditions.webgpu().catch((error: unknown): BackendInfo => ({ backend: "cpu", adapter: null, reason: String(error) }));
  if (webgpu.backend === "webgpu") {
    return oneThread(`the threaded module has no WebGPU, and this browser has a usable adapter (${webgpu.adapter ?? "hardware"})`);
  }
  return {
    threaded: { bindings: threads, wasm: new URL("genlab_bg.wasm", threads).href, threads: POOL_THREADS },
    why: `${POOL_THREADS} threads: the threaded module (shared memory; training on a rayon pool of ${POOL_THREADS} Web Workers, each large matrix product split in two)`,
  };
}
