// Which of the two wasm modules the page loads. Trunk builds the crate once with SIMD
// (`simd128`, every current browser) and once more with relaxed SIMD
// (scripts/build-relaxed-module), whose matrix products multiply and add in one fused
// `f32x4.relaxed_madd`. A browser that cannot compile relaxed SIMD would reject the whole second
// module, so the page asks first: `WebAssembly.validate` of a tiny module that uses the
// instruction. `?simd=plain` keeps the first module anyway (to compare the two).

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
