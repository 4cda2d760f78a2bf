// The page loads the relaxed-SIMD module only where the browser compiles relaxed SIMD (issue 22).
// Chromium's answer to the probe is checked end to end (tests/e2e/cpu_modules.test.mjs).
import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import { test } from "node:test";
import { RELAXED_MADD_PROBE, chooseCpuModule, hasRelaxedSimd } from "../src/cpu_module";

/** The probe with `f32x4.relaxed_madd` replaced by `v128.bitselect` (also three v128s → one). */
function plainSimdTwin(): Uint8Array<ArrayBuffer> {
  const bytes = Array.from(RELAXED_MADD_PROBE);
  const at = bytes.length - 4;
  assert.deepEqual(bytes.slice(at, at + 3), [0xfd, 0x85, 0x02]);
  bytes.splice(at, 3, 0xfd, 0x52);
  bytes[23] -= 1; // the code section's size
  bytes[25] -= 1; // the body's size
  return new Uint8Array(bytes);
}

test("the probe is a well-formed module: its plain-SIMD twin validates", () => {
  assert.equal(WebAssembly.validate(plainSimdTwin()), true);
});

test("an engine with relaxed SIMD validates the probe", () => {
  const source = `process.exit(WebAssembly.validate(new Uint8Array(${JSON.stringify(Array.from(RELAXED_MADD_PROBE))})) ? 0 : 1)`;
  // Node 20's V8 has relaxed SIMD behind a flag, later ones by default.
  const flags = WebAssembly.validate(RELAXED_MADD_PROBE) ? [] : ["--experimental-wasm-relaxed-simd"];
  execFileSync(process.execPath, [...flags, "-e", source]);
});

test("the probe answers no rather than throwing", () => {
  assert.equal(
    hasRelaxedSimd(() => {
      throw new Error("no WebAssembly");
    }),
    false,
  );
  assert.equal(hasRelaxedSimd(() => true), true);
});

test("the relaxed module is chosen only where it exists, the browser runs it and the link does not ask for plain", () => {
  const yes = () => true;
  const no = () => false;
  assert.deepEqual(
    [
      chooseCpuModule("plain.wasm", "relaxed.wasm", "", yes).url,
      chooseCpuModule("plain.wasm", "relaxed.wasm", "", no).url,
      chooseCpuModule("plain.wasm", undefined, "", yes).url,
      chooseCpuModule("plain.wasm", "relaxed.wasm", "?simd=plain", yes).url,
      chooseCpuModule("plain.wasm", "relaxed.wasm", "?simd=relaxed", yes).url,
    ],
    ["relaxed.wasm", "plain.wasm", "plain.wasm", "plain.wasm", "relaxed.wasm"],
  );
  assert.match(chooseCpuModule("p", "r", "", no).why, /does not run WebAssembly relaxed SIMD/);
  assert.match(chooseCpuModule("p", "r", "?simd=plain", yes).why, /simd=plain/);
  assert.equal(chooseCpuModule("p", "r", "", yes).kind, "relaxed");
});
