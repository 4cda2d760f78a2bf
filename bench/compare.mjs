// GenLab against its references, all measured in the same `scripts/bench` run on this machine:
// PyTorch on the CPU (bench/torch_reference.py, one thread and all threads), TensorFlow.js in
// the same headless Chromium (bench/tfjs_reference.mjs, CPU and wasm backends), the CPU path's
// matrix-product roof, wasm memory, and where each goal of the performance issue stands.
// Reads the JSON files the other bench scripts wrote to test-output/; prints Markdown.
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dirname, "..");
const read = (name) => {
  const file = join(root, "test-output", name);
  return existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : { error: `${name} missing` };
};
const genlab = read("bench-genlab.json");
const torch = read("bench-torch.json");
const tfjs = read("bench-tfjs.json");
const frames = read("bench-frames.json");

/** The five shared workloads: GenLab class, PyTorch and TF.js names. */
const WORKLOADS = [
  ["flow matching", "FlowMatching", "flow_matching"],
  ["DDPM", "Diffusion", "diffusion"],
  ["VAE", "Vae", "vae"],
  ["GAN", "Gan", "gan"],
  ["RealNVP", "RealNvp", "real_nvp"],
];
const cpu = genlab.families?.cpu ?? {};
const rate = (value) => (typeof value === "number" && Number.isFinite(value) ? value.toFixed(1) : "–");
const ratio = (a, b) => (typeof a === "number" && typeof b === "number" ? `${(a / b).toFixed(2)}×` : "–");
const tf = (backend, name) => tfjs[backend]?.[name]?.stepsPerSecond;

const rows = WORKLOADS.map(([label, cls, name]) => {
  const ours = cpu[cls]?.steps;
  const one = torch.one_thread?.[name];
  const all = torch.all_threads?.[name];
  return `| ${label} | ${rate(ours)} | ${rate(one)} | ${ratio(ours, one)} | ${rate(all)} | ${ratio(ours, all)} | ${rate(tf("cpu", name))} | ${ratio(ours, tf("cpu", name))} | ${rate(tf("wasm", name))} | ${ratio(ours, tf("wasm", name))} |`;
}).join("\n");

const roof = genlab.cpu?.matmul?.["512×128×128"];
const roofRows = WORKLOADS.map(([label, cls]) => {
  const r = cpu[cls];
  if (!r?.weights) return `| ${label} | – | – | – |`;
  const gflops = (6 * 512 * r.weights * r.steps) / 1e9;
  return `| ${label} | ${r.weights} | ${gflops.toFixed(2)} | ${roof ? `${((100 * gflops) / roof).toFixed(0)} %` : "–"} |`;
}).join("\n");

const mb = (bytes) => (bytes ? `${(bytes / 1e6).toFixed(0)} MB` : "–");
const peakFamilies = Math.max(...Object.values(cpu).map((r) => r.memoryBytes ?? 0), 0);
const worker = frames.flow_matching?.worker?.training?.fps;
const firstStep = genlab.cpu?.firstStep;
const brotli = genlab.size?.brotli;
const fmRatio = cpu.FlowMatching?.steps && torch.one_thread?.flow_matching ? cpu.FlowMatching.steps / torch.one_thread.flow_matching : null;
const minTorch = Math.min(...WORKLOADS.map(([, cls, name]) => (cpu[cls]?.steps ?? NaN) / (torch.one_thread?.[name] ?? NaN)).filter(Number.isFinite));
const minTfjs = Math.min(...WORKLOADS.flatMap(([, cls, name]) => ["cpu", "wasm"].map((b) => (cpu[cls]?.steps ?? NaN) / (tf(b, name) ?? NaN))).filter(Number.isFinite));
const goal = (met) => (met === null || Number.isNaN(met) ? "not measured" : met ? "met" : "not met");

console.log(`## Against PyTorch and TensorFlow.js (same run, same machine)

Training steps/s of the same workloads: GenLab's defaults on 8 gaussians (SiLU MLPs 128 × 3,
RealNVP 8 couplings of 64 × 2; batch 512; Adam), GenLab on its CPU path (wasm SIMD, one thread, in
headless Chromium) against PyTorch ${torch.torch ?? "?"} natively on the CPU (\`torch.set_num_threads\`
1 and ${torch.threads ?? "?"}) and TensorFlow.js ${tfjs.cpu?.flow_matching?.version ?? "?"} in the same
browser (CPU backend; wasm backend with SIMD ${tfjs.wasm?.flow_matching?.simd ?? "?"}, threads
${tfjs.wasm?.flow_matching?.threads ?? "?"}). Ratios are GenLab / reference: above 1 means GenLab is faster.

| workload | GenLab CPU path | PyTorch 1 thread | ratio | PyTorch ${torch.threads ?? "all"} threads | ratio | TF.js cpu | ratio | TF.js wasm | ratio |
|---|---|---|---|---|---|---|---|---|---|
${rows}

### Roofline of the CPU path

The measured matrix-product rate in wasm (flex, SIMD, one thread): ${rate(roof)} GFLOP/s at the
workload's layer shape 512 × 128 × 128 and ${rate(genlab.cpu?.matmul?.["256×256×256"])} GFLOP/s at
256³. A training step costs about 6 · batch · (weights in matrices) FLOP (forward, and twice that
backward); the GAN runs its networks more than once per step and RealNVP eight small ones, so
their figures are lower estimates.

| workload | weights in matrices | achieved GFLOP/s | of the 512 × 128 × 128 roof |
|---|---|---|---|
${roofRows}

### Memory

wasm linear memory (it only grows, so this is the peak): ${mb(genlab.cpu?.memoryBytes)} after the
flow-matching run with evaluations of 1 000 and 4 096 samples, ${mb(peakFamilies)} after every
family's run in one page.

### Goals

| goal | where it stands | status |
|---|---|---|
| CPU path ≥ 1.0× single-thread PyTorch per step (2-D) | flow matching ${fmRatio ? `${fmRatio.toFixed(2)}×` : "–"}, slowest workload ${Number.isFinite(minTorch) ? `${minTorch.toFixed(2)}×` : "–"} | ${goal(Number.isFinite(minTorch) ? minTorch >= 1 : null)} |
| faster than TensorFlow.js in the same browser | slowest ratio ${Number.isFinite(minTfjs) ? `${minTfjs.toFixed(2)}×` : "–"} | ${goal(Number.isFinite(minTfjs) ? minTfjs > 1 : null)} |
| ≥ 55 frames/s while training | ${rate(worker)} frames/s (flow matching, worker) | ${goal(worker ? worker >= 55 : null)} |
| first step ≤ 3 s after load (CPU path) | ${firstStep ? `${(firstStep / 1000).toFixed(2)} s` : "–"} | ${goal(firstStep ? firstStep <= 3000 : null)} |
| .wasm ≤ 4 MB brotli | ${brotli ? `${(brotli / 1e6).toFixed(2)} MB` : "–"} | ${goal(brotli ? brotli <= 4e6 : null)} |
`);
