// The backend levers, measured in headless Chromium: the start-up timing probe's figures (CPU
// against WebGPU, what the automatic choice would take), and a sweep of the tasks CubeCL gathers
// into one WebGPU submission (flow matching's workload; each setting in a fresh page, since the
// WebGPU runtime is configured once per instance), as ratios to the default in the same run.
// Prints a Markdown section; `scripts/bench` includes it in BENCHMARKS.md. Asserts nothing.
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { chromium } from "playwright-core";
import { CHROMIUM_ARGS, serveDist } from "../scripts/serve-dist.mjs";
import { closeBrowser, finish } from "./finish.mjs";

const root = resolve(import.meta.dirname, "..");
const WORKLOAD = { width: 128, depth: 3, batch_size: 512, seed: 0 };
const TASKS = [1, 8, 32, 128];
const DEFAULT_TASKS = 32;
const WARM_UP = 3;
const STEPS = 12;

/** Runs in the page: the start-up timing probe. */
async function probe() {
  const { bindings, wasm } = document.querySelector("script[data-bindings]").dataset;
  const genlab = await import(bindings);
  await genlab.default({ module_or_path: wasm });
  return genlab.timingProbe();
}

/** Runs in the page: WebGPU with `tasks` per submission, steps/s of the workload. */
async function sweep({ tasks, workload, warmUp, steps }) {
  const { bindings, wasm } = document.querySelector("script[data-bindings]").dataset;
  const genlab = await import(bindings);
  await genlab.default({ module_or_path: wasm });
  genlab.configureWebgpu(tasks);
  await genlab.initBackend("webgpu");
  const lab = await genlab.FlowMatching.create(workload);
  await lab.train(warmUp);
  const timed = async (slice) => {
    const start = performance.now();
    for (let done = 0; done < steps; done += slice) await lab.train(slice);
    return (1000 * steps) / (performance.now() - start);
  };
  // One readback per step (slice 1) and one per slice of 6 steps (as the page batches them).
  const result = { perStep: await timed(1), perSlice: await timed(6) };
  lab.free();
  return result;
}

const server = await serveDist(join(root, "dist"));
const browser = await chromium.launch({ executablePath: process.env.CHROME_BIN ?? "/usr/bin/chromium", args: CHROMIUM_ARGS });
async function inPage(run, argument) {
  const page = await browser.newPage();
  await page.goto(`${server.origin}/?backend=cpu`);
  await page.waitForSelector("body[data-ready]", { timeout: 180_000 });
  const result = await page.evaluate(run, argument).catch((error) => ({ error: String(error).split("\n")[0] }));
  await page.close();
  return result;
}
const timing = await inPage(probe);
const tasks = {};
for (const t of TASKS) tasks[t] = await inPage(sweep, { tasks: t, workload: WORKLOAD, warmUp: WARM_UP, steps: STEPS });
await closeBrowser(browser);
server.close();
mkdirSync(join(root, "test-output"), { recursive: true });
writeFileSync(join(root, "test-output", "bench-webgpu-levers.json"), JSON.stringify({ timing, tasks }));

const ms = (value) => (typeof value === "number" ? `${value.toFixed(1)} ms` : "–");
const timingText = timing.error
  ? `The probe failed: ${timing.error}.`
  : `| CPU per step | WebGPU per step | WebGPU / CPU time | the probe would choose |
|---|---|---|---|
| ${ms(timing.cpu_ms)} | ${timing.webgpu_ms == null ? `failed: ${timing.webgpu_error}` : ms(timing.webgpu_ms)} | ${timing.webgpu_ms == null ? "–" : `${(timing.webgpu_ms / timing.cpu_ms).toFixed(1)}×`} | ${timing.choice} |`;
const reference = tasks[DEFAULT_TASKS];
const ratio = (r, key) => (r.error || reference.error ? "–" : `${(r[key] / reference[key]).toFixed(2)}×`);
const taskRows = TASKS.map((t) => (tasks[t].error
  ? `| ${t} | failed: ${tasks[t].error} | | | |`
  : `| ${t}${t === DEFAULT_TASKS ? " (default)" : ""} | ${tasks[t].perStep.toFixed(2)} | ${ratio(tasks[t], "perStep")} | ${tasks[t].perSlice.toFixed(2)} | ${ratio(tasks[t], "perSlice")} |`)).join("\n");

finish(`## Backend levers (${new Date().toISOString().slice(0, 10)}, \`bench/webgpu_levers.mjs\`)

### Start-up timing probe

With a hardware WebGPU adapter, \`initBackend("auto")\` trains flow matching at its defaults
(MLP 3×128, batch 512) for 3 steps and times 8 more on each backend, once per page, and keeps
the faster. Here it is run on the software adapter (\`timingProbe()\`), which the automatic
choice never uses; the figures show what the probe sees.

${timingText}

### Tasks per WebGPU submission

The same workload on WebGPU with CubeCL gathering 1 … 128 tasks into one command submission
(\`configureWebgpu\`), each in a fresh page: ${STEPS} timed steps after ${WARM_UP}, read back
after every step and after every 6 steps; ratios to the default (${DEFAULT_TASKS}) in this run.
Software adapter (SwiftShader): a real GPU's figures would differ.

| tasks per submit | steps/s (readback per step) | ratio | steps/s (per 6 steps) | ratio |
|---|---|---|---|---|
${taskRows}
`);
