// The page loads the relaxed-SIMD module only where the browser compiles relaxed SIMD (issue 22).
// Chromium's answer to the probe is checked end to end (tests/e2e/cpu_modules.test.mjs).
import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import { test } from "node:test";
import { POOL_THREADS, RELAXED_MADD_PROBE, chooseCpuModule, chooseThreads, hasRelaxedSimd, type ThreadsConditions } from "../src/cpu_module";

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

const GLUE = "https://genlab.example/course/threads-0123456789abcdef/genlab.js";

/** Conditions where threads are possible; `asked` counts the adapter probes. */
function isolatedPage(change: Partial<ThreadsConditions> = {}): { conditions: ThreadsConditions; asked: () => number } {
  let probes = 0;
  const conditions: ThreadsConditions = {
    query: "",
    isolated: true,
    cores: 2,
    relaxed: true,
    webgpu: async () => {
      probes += 1;
      return { backend: "cpu", adapter: null, reason: "the only WebGPU adapter (SwiftShader) is a software fallback" };
    },
    ...change,
  };
  return { conditions, asked: () => probes };
}

test("the threaded module is chosen on an isolated page with two cores, relaxed SIMD and no hardware adapter", async () => {
  const { conditions, asked } = isolatedPage();
  const chosen = await chooseThreads(GLUE, conditions);
  assert.deepEqual(chosen.threaded, {
    bindings: GLUE,
    wasm: "https://genlab.example/course/threads-0123456789abcdef/genlab_bg.wasm",
    threads: POOL_THREADS,
  });
  assert.match(chosen.why, /^2 threads: the threaded module/);
  assert.equal(asked(), 1);
});

test("one thread, saying why, wherever one condition fails; the adapter is asked for only last", async () => {
  const cases: [string | undefined, Partial<ThreadsConditions>, RegExp][] = [
    [GLUE, { query: "?threads=off" }, /as the link asks \(threads=off\)/],
    [undefined, {}, /this build has no threaded module/],
    [GLUE, { isolated: false }, /not cross-origin isolated .*no shared memory/],
    [GLUE, { relaxed: false }, /uses relaxed SIMD, and the page runs the plain SIMD module/],
    [GLUE, { cores: 1 }, /this device reports 1 core/],
  ];
  for (const [glue, change, why] of cases) {
    const { conditions, asked } = isolatedPage(change);
    const chosen = await chooseThreads(glue, conditions);
    assert.equal(chosen.threaded, null, JSON.stringify(change));
    assert.match(chosen.why, /^one thread: /);
    assert.match(chosen.why, why);
    assert.equal(asked(), 0, `no adapter request for ${JSON.stringify(change)}`);
  }
});

test("a usable hardware adapter keeps the page's module (which has WebGPU); a failed probe does not", async () => {
  const hardware = isolatedPage({ webgpu: async () => ({ backend: "webgpu", adapter: "Example GPU", reason: "a hardware WebGPU adapter is available" }) });
  const kept = await chooseThreads(GLUE, hardware.conditions);
  assert.equal(kept.threaded, null);
  assert.match(kept.why, /has no WebGPU, and this browser has a usable adapter \(Example GPU\)/);
  const failing = isolatedPage({ webgpu: () => Promise.reject(new Error("requestAdapter failed")) });
  assert.notEqual((await chooseThreads(GLUE, failing.conditions)).threaded, null);
});
