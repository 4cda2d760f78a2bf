// Browser benchmark of flow matching (MLP 3×128, batch 512): steps/s on the CPU path and on
// WebGPU in headless Chromium, load-to-first-step time, and the .wasm size raw / gzip / brotli;
// then every family at its default settings on the CPU path, as a ratio to flow matching.
// Prints a Markdown report; `scripts/bench` writes it to BENCHMARKS.md. No figure is asserted.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { chromium } from "playwright-core";
import { CHROMIUM_ARGS, serveDist } from "../scripts/serve-dist.mjs";
import {
  FAMILY_SAMPLES, FAMILY_SLICES, IMAGE_FAMILY_SLICES, IMAGE_SAMPLES, IMAGE_SAMPLING_COSTS, PROTOCOL_TEXT, WEBGPU_FAMILY_SECONDS,
  familiesInPage, familyRows,
} from "./families.mjs";
import { closeBrowser, finish } from "./finish.mjs";
import { PROTOCOL, installSteadyRates, rateText } from "./steady.mjs";
import { CHAINS, peakProbe, simdPeakBytes } from "./simd_peak.mjs";

const root = resolve(import.meta.dirname, "..");
const dist = join(root, "dist");
const WORKLOAD = { width: 128, depth: 3, batch_size: 512, seed: 0 };
/** Steps of one `train` call on the CPU path; steps timed on WebGPU after a warm-up of as many. */
const CPU_SLICE = 10;
const GPU_STEPS = 10;
/** Evaluations timed per panel size after the first. */
const PANEL_REPEATS = 3;
/** The wasm SIMD ceiling's probe (bench/simd_peak.mjs): 5 timed calls of 2·10⁷ iterations (about 0.2 s each) after 2 s of calls. */
const SIMD_PEAK_PROBE = { bytes: [...simdPeakBytes()], chains: CHAINS, iterations: 2e7, rounds: 5, warmup: 2 };

/**
 * Runs in the page: loads the module, trains, and times it: on the CPU path a steady rate
 * (bench/steady.mjs, installed in the page), on WebGPU `steps` steps after as many.
 */
async function measure({ backend, workload, steps, protocol, panelSizes, panelRepeats, roof }) {
  const { bindings, wasmRelaxed } = document.querySelector("script[data-bindings]").dataset;
  const genlab = await import(bindings);
  const exports = await genlab.default({ module_or_path: wasmRelaxed });
  const info = { ...(await genlab.initBackend(backend)), instructions: genlab.cpuInstructions() };
  const lab = await genlab.FlowMatching.create(workload);
  await lab.train(1);
  const firstStep = performance.now();
  let rate;
  if (backend === "cpu") {
    const subject = { name: "flow matching", slice: steps, train: (n) => lab.train(n) };
    rate = (await globalThis.steadyRates([subject], protocol))["flow matching"];
  } else {
    for (let done = 0; done < steps; done++) await lab.train(1);
    const start = performance.now();
    for (let done = 0; done < steps; done++) await lab.train(1);
    const median = (1000 * steps) / (performance.now() - start);
    rate = { median, min: median, max: median, windows: [median] };
  }
  const timed = async (call) => {
    const started = performance.now();
    await call();
    return (performance.now() - started) / 1000;
  };
  const sampleSeconds = await timed(() => lab.sample(4096));
  const panel = {};
  // The first evaluation also builds what later ones reuse; the steady cost is the median of the
  // next `panelRepeats`, each beside a sampling of as many points.
  const median = (values) => [...values].sort((a, b) => a - b)[values.length >> 1];
  for (const n of panelSizes) {
    const first = await timed(() => lab.evaluate(n));
    const evaluate = [];
    const sample = [];
    for (let repeat = 0; repeat < panelRepeats; repeat++) {
      evaluate.push(await timed(() => lab.evaluate(n)));
      sample.push(await timed(() => lab.sample(n)));
    }
    panel[n] = { first, evaluate: median(evaluate), sample: median(sample) };
  }
  lab.free();
  // The roof: the backend's matrix-product rate at the workload's layer shape and a square one.
  const matmul = {};
  for (const [m, k, n, repeats] of roof) {
    await genlab.matmulProbe(m, k, n, 1);
    const seconds = await timed(() => genlab.matmulProbe(m, k, n, repeats));
    matmul[`${m}×${k}×${n}`] = (2 * m * k * n * repeats) / seconds / 1e9;
  }
  return {
    info, firstStep, rate, stepsPerSecond: rate.median, samplesPerSecond: 4096 / sampleSeconds, panel, matmul,
    memoryBytes: exports.memory.buffer.byteLength,
  };
}

/** Raw, gzip and brotli bytes of each wasm module in dist/ (the threaded one in its folder), the plain one first. */
function sizes() {
  const threaded = readdirSync(dist).filter((name) => name.startsWith("threads-")).map((folder) => join(folder, "genlab_bg.wasm"));
  const label = (name) => (name.startsWith("threads-") ? "threaded (relaxed SIMD, shared memory, no WebGPU)" : name.startsWith("genlab-relaxed-") ? "relaxed SIMD (FMA)" : "plain SIMD");
  return [...readdirSync(dist).filter((name) => name.endsWith(".wasm")), ...threaded]
    .map((name) => {
      const bytes = readFileSync(join(dist, name));
      const brotli = brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } });
      return { module: label(name), raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length, brotli: brotli.length };
    })
    .sort((a, b) => a.module.localeCompare(b.module));
}

const mb = (bytes) => `${(bytes / 1e6).toFixed(2)} MB`;

const server = await serveDist(dist);
const browser = await chromium.launch({ executablePath: process.env.CHROME_BIN ?? "/usr/bin/chromium", args: CHROMIUM_ARGS });
const results = {};
for (const [backend, steps] of [["cpu", CPU_SLICE], ["webgpu", GPU_STEPS]]) {
  const page = await browser.newPage();
  await page.goto(`${server.origin}/?backend=cpu`);
  await page.waitForSelector("body[data-ready]", { timeout: 180_000 });
  await installSteadyRates(page);
  try {
    results[backend] = await page.evaluate(measure, {
      backend, workload: WORKLOAD, steps, protocol: PROTOCOL,
      panelSizes: backend === "cpu" ? [1000, 4096] : [],
      panelRepeats: PANEL_REPEATS,
      roof: backend === "cpu" ? [[512, 128, 128, 200], [256, 256, 256, 100]] : [[512, 128, 128, 20]],
    });
    if (backend === "cpu") {
      // A failed probe leaves the CPU path's figures in place.
      results.cpu.simdPeak = await page.evaluate(peakProbe, SIMD_PEAK_PROBE).catch((error) => ({ error: String(error).split("\n")[0] }));
    }
  } catch (error) {
    results[backend] = { error: String(error).split("\n")[0] };
  }
  await page.close();
}
results.families = { cpu: {}, webgpu: {} };
results.images = { cpu: {}, webgpu: {} };
results.families.cpu = await familiesInPage(browser, server, "cpu", FAMILY_SLICES, 900);
for (const name of Object.keys(FAMILY_SLICES)) {
  const result = await familiesInPage(browser, server, "webgpu", { [name]: FAMILY_SLICES[name] }, WEBGPU_FAMILY_SECONDS);
  results.families.webgpu[name] = result.error ? result : result[name];
}
results.images.cpu = await familiesInPage(browser, server, "cpu", IMAGE_FAMILY_SLICES, 900, true);
for (const name of Object.keys(IMAGE_FAMILY_SLICES)) {
  const result = await familiesInPage(browser, server, "webgpu", { [name]: IMAGE_FAMILY_SLICES[name] }, WEBGPU_FAMILY_SECONDS, true);
  results.images.webgpu[name] = result.error ? result : result[name];
}
await closeBrowser(browser);
server.close();

const flowMatchingRate = results.families.cpu.FlowMatching?.stepRate;

const size = sizes();
mkdirSync(join(root, "test-output"), { recursive: true });
writeFileSync(join(root, "test-output", "bench-genlab.json"), JSON.stringify({ ...results, size }));
const cpu = results.cpu;
const gpu = results.webgpu;
const row = (name, r) => r.error
  ? `| ${name} | failed: ${r.error} | | | |`
  : `| ${name} (${r.info.adapter ?? `flex, ${r.info.instructions}`}) | ${rateText(r.rate)} | ${(1000 / r.stepsPerSecond).toFixed(2)} ms | ${r.samplesPerSecond.toFixed(0)} | ${(r.firstStep / 1000).toFixed(2)} s |`;
function panelRows(r) {
  if (r.error) return "| – | failed | | | | |";
  return Object.entries(r.panel).map(([n, t]) => {
    const alone = Math.max(t.evaluate - t.sample, 1e-6);
    return `| ${n} | ${(t.first * 1000).toFixed(0)} ms | ${(t.evaluate * 1000).toFixed(0)} ms | ${(t.sample * 1000).toFixed(0)} ms | ${(alone * 1000).toFixed(0)} ms | ${(1 / alone).toFixed(1)} |`;
  }).join("\n");
}
const ratio = cpu.error || gpu.error ? "n/a" : `${(gpu.stepsPerSecond / cpu.stepsPerSecond).toFixed(3)}×`;
finish(`## Flow matching in headless Chromium (${new Date().toISOString().slice(0, 10)})

Workload: flow matching on 8 gaussians, velocity MLP 3→128→128→128→2 (SiLU), batch 512, Adam;
on the CPU path a steady rate (${PROTOCOL_TEXT}), on WebGPU ${GPU_STEPS} timed steps after as many;
sampling 4 096 points with 16 midpoint steps. Load-to-first-step counts from navigation start to
the end of the first training step (module download and compile included).

| backend | steps/s | per step | samples/s | load → first step |
|---|---|---|---|---|
${row("CPU", cpu)}
${row("WebGPU", gpu)}

WebGPU / CPU speed ratio in this run: ${ratio}. On this machine WebGPU is Chromium's software
adapter (SwiftShader), so its figure says nothing about a real GPU.

### Divergence panel (CPU path)

One \`evaluate(n)\` draws n model samples and computes all eight divergences with their noise
floors (grid divergences on 128×128 cells, sliced W2, Sinkhorn on 256 points, MMD² on all n);
the first one of a lab also builds what the later ones reuse. After it, the median of
${PANEL_REPEATS} evaluations, each followed by a sampling of as many points; the panel's own cost is the
evaluation minus the sampling.

| n | first evaluate | evaluate | of which sampling | panel alone | panel refreshes/s |
|---|---|---|---|---|---|
${panelRows(cpu)}

### Every family

Each family at its default settings (the page's), batch 512, on 8 gaussians: training steps/s
(${PROTOCOL_TEXT}; 3 steps on WebGPU after one) and samples/s (${FAMILY_SAMPLES.cpu} samples on the CPU path, ${FAMILY_SAMPLES.webgpu} on
WebGPU, read back). A GAN step is one discriminator and one generator step; an EBM step includes
its 20 Langevin steps. Sampling costs: flow matching 16 midpoint steps, NCSN 10 levels × 20
Langevin steps, DDPM 100 steps, score SDE 200 Euler–Maruyama steps, EBM 20 Langevin steps.

| family | CPU steps/s | ratio to flow matching (same run) | CPU samples/s | WebGPU steps/s | WebGPU samples/s |
|---|---|---|---|---|---|
${familyRows(results.families, flowMatchingRate)}

### Image families (8×8 digits)

Each image family at its default settings on the digits, batch 128: training steps/s
(the same protocol on the CPU path, 3 steps on WebGPU) and images/s drawing a grid of ${IMAGE_SAMPLES} (${IMAGE_SAMPLING_COSTS}). Ratios are to flow matching's 2-D
CPU steps/s above (same run).

| family | CPU steps/s | ratio to flow matching (same run) | CPU images/s | WebGPU steps/s | WebGPU images/s |
|---|---|---|---|---|---|
${familyRows(results.images, flowMatchingRate)}

| .wasm | raw | gzip -9 | brotli -11 |
|---|---|---|---|
${size.map((variant) => `| ${variant.module}, release, wasm-opt -O2 | ${mb(variant.raw)} | ${mb(variant.gzip)} | ${mb(variant.brotli)} |`).join("\n")}
`);
