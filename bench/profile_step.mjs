// A profile of one workload's training step (flow matching unless WORKLOAD names another of
// bench/steady.mjs's five by its class, e.g. WORKLOAD=RealNvp; GenLab's defaults, batch 512) on
// the CPU path in headless Chromium: V8's sampling profiler over STEPS steps once the training
// rate is steady (the warm-up of bench/steady.mjs), self time per wasm function, grouped by what
// the function does. The shipped module carries no function names, so this profiles the same
// build before wasm-opt (cargo's output, names kept) in place of the page's plain module
// (bench/named_module.mjs): the relaxed-SIMD build, the module Chromium gets (built by
// scripts/build-relaxed-module in trunk's build), or the plain one with MODULE=plain.
// Prints a Markdown section; `scripts/bench` includes it in BENCHMARKS.md. Asserts nothing.
import { rmSync } from "node:fs";
import { chromium } from "playwright-core";
import { CHROMIUM_ARGS, serveDist } from "../scripts/serve-dist.mjs";
import { closeBrowser, finish } from "./finish.mjs";
import { cargoModule, siteWithModule, startModule } from "./named_module.mjs";
import { PROTOCOL, WORKLOADS, installSteadyRates } from "./steady.mjs";

const MODULE = process.env.MODULE ?? "relaxed";
const STEPS = 200;
const SLICE = 10;
const WORKLOAD = process.env.WORKLOAD ?? "FlowMatching";
const LABEL = WORKLOADS.find(([, cls]) => cls === WORKLOAD)?.[0];
if (!LABEL) throw new Error(`WORKLOAD must be one of ${WORKLOADS.map(([, cls]) => cls).join(", ")}`);

const site = siteWithModule(cargoModule(MODULE));

/** What a function does, from its (mangled) Rust path. */
const GROUPS = [
  ["transcendental functions (libm: expf, logf, …)", /compiler_builtins::math|libm|^(expf|logf|log1pf|tanhf|powf)$/],
  ["matrix products (gemm)", /gemm|matmul|Gemm/],
  ["allocation and copies", /dlmalloc|alloc|realloc|memcpy|memmove|memset|__rust_dealloc|drop_in_place|Vec.*clone|to_vec/],
  ["autodiff graph (burn-autodiff)", /burn_autodiff/],
  ["element-wise and reductions (burn-flex)", /burn_flex/],
  ["optimizer (burn-optim)", /burn_optim/],
  ["tensor front end (burn-tensor, burn-backend)", /burn_tensor|burn_backend|burn_std|burn_dispatch/],
  ["GenLab", /genlab/],
];

async function createLab(workload) {
  window.lab = await window.genlab[workload].create({ seed: 0 });
}

/**
 * Trains until the rate is steady (bench/steady.mjs's warm-up, then one window): V8 runs new wasm
 * code in its baseline compiler first and tiers hot functions up over the first seconds, so a
 * profile taken earlier describes partly code that the page does not run for long.
 */
async function warmUp({ slice, protocol }) {
  const subject = { name: "workload", slice, train: (steps) => window.lab.train(steps) };
  return (await globalThis.steadyRates([subject], { ...protocol, rounds: 1 })).workload;
}

const server = await serveDist(site);
const browser = await chromium.launch({ executablePath: process.env.CHROME_BIN ?? "/usr/bin/chromium", args: CHROMIUM_ARGS });
const page = await browser.newPage();
await page.goto(`${server.origin}/?backend=cpu&simd=plain`);
await page.waitForSelector("body[data-ready]", { timeout: 180_000 });
await page.evaluate(startModule);
await page.evaluate(createLab, WORKLOAD);
await installSteadyRates(page);
const warm = await page.evaluate(warmUp, { slice: SLICE, protocol: PROTOCOL });
const cdp = await page.context().newCDPSession(page);
await cdp.send("Profiler.enable");
await cdp.send("Profiler.setSamplingInterval", { interval: 100 });
await cdp.send("Profiler.start");
const wall = await page.evaluate(async ({ steps, slice }) => {
  const start = performance.now();
  for (let done = 0; done < steps; done += slice) await window.lab.train(slice);
  return performance.now() - start;
}, { steps: STEPS, slice: SLICE });
const { profile } = await cdp.send("Profiler.stop");
await closeBrowser(browser);
server.close();
rmSync(site, { recursive: true, force: true });

// Self time per function, then per group.
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const self = new Map();
let total = 0;
profile.samples.forEach((id, i) => {
  const micros = profile.timeDeltas[i + 1] ?? 0;
  const name = byId.get(id).callFrame.functionName || "(anonymous)";
  if (name === "(idle)" || name === "(program)") return;
  self.set(name, (self.get(name) ?? 0) + micros);
  total += micros;
});
const groupOf = (name) => GROUPS.find(([, pattern]) => pattern.test(name))?.[0] ?? "other (JS, glue, runtime)";
// Allocation and copies by who asked for them: each such sample goes to its nearest caller
// outside that group (and outside Rust's own containers, cubecl's byte buffers and flex's
// zeroed tensors, so that the product or operation that asked is named).
const ALLOCATION = GROUPS.find(([group]) => group.startsWith("allocation"))[0];
const parentOf = new Map(profile.nodes.flatMap((node) => (node.children ?? []).map((child) => [child, node.id])));
const nameOf = (id) => byId.get(id).callFrame.functionName || "(anonymous)";
const plumbing = (name) => groupOf(name) === ALLOCATION || /^(alloc|core|std)::|cubecl_environment|<alloc::|<core::|FlexTensor::(empty|zeros)/.test(name);
const allocationCallers = new Map();
profile.samples.forEach((id, i) => {
  if (groupOf(nameOf(id)) !== ALLOCATION) return;
  let caller = id;
  while (parentOf.has(caller) && plumbing(nameOf(caller))) caller = parentOf.get(caller);
  allocationCallers.set(nameOf(caller), (allocationCallers.get(nameOf(caller)) ?? 0) + (profile.timeDeltas[i + 1] ?? 0));
});
const groups = new Map();
for (const [name, micros] of self) groups.set(groupOf(name), (groups.get(groupOf(name)) ?? 0) + micros);
// Each group's time including what its functions call (e.g. the optimizer's element-wise work in
// burn-flex): every sample whose stack holds one of the group's functions.
const inclusive = new Map();
profile.samples.forEach((id, i) => {
  if (!self.has(nameOf(id))) return;
  const held = new Set();
  for (let frame = id; frame !== undefined; frame = parentOf.get(frame)) held.add(groupOf(nameOf(frame)));
  for (const group of held) inclusive.set(group, (inclusive.get(group) ?? 0) + (profile.timeDeltas[i + 1] ?? 0));
});
const percent = (micros) => `${((100 * micros) / total).toFixed(1)} %`;
const shorten = (name) => name.replace(/::h[0-9a-f]{16}$/, "").replace(/\[[0-9a-f]+\]/g, "").slice(0, 110);
const groupRows = [...groups].sort((a, b) => b[1] - a[1])
  .map(([group, micros]) => `| ${group} | ${percent(micros)} | ${percent(inclusive.get(group) ?? 0)} |`).join("\n");
const callerRows = [...allocationCallers].sort((a, b) => b[1] - a[1]).slice(0, 8)
  .map(([name, micros]) => `| \`${shorten(name).replaceAll("|", "\\|")}\` | ${percent(micros)} |`).join("\n");
const top = [...self].sort((a, b) => b[1] - a[1]).slice(0, 15)
  .map(([name, micros]) => `| \`${shorten(name).replaceAll("|", "\\|")}\` | ${percent(micros)} | ${groupOf(name)} |`).join("\n");

finish(`## Profile of a CPU-path training step (${new Date().toISOString().slice(0, 10)}, \`bench/profile_step.mjs\`)

${LABEL[0].toUpperCase()}${LABEL.slice(1)} (GenLab's defaults, batch 512) on the CPU path, ${STEPS} steps in slices of ${SLICE}
(${(wall / STEPS).toFixed(2)} ms per step with the profiler on) after a warm-up until the rate is
steady (${warm.warmupSeconds.toFixed(1)} s${warm.settled ? "" : ", unsettled"}; then
${(1000 / warm.median).toFixed(2)} ms per step without the profiler), V8's sampling profiler every
100 µs; self time of each function as a share of the busy time, and each group's time including
the functions it calls (shares of different groups then overlap). The module is the ${MODULE === "relaxed" ? "relaxed-SIMD (FMA)" : "plain SIMD"} one,
cargo's build before wasm-opt (names kept).

| what | share of the step | with what it calls |
|---|---|---|
${groupRows}

| function (self time) | share | group |
|---|---|---|
${top}

Allocation and copies by the nearest caller outside them (Rust's containers, cubecl's byte
buffers and flex's \`FlexTensor::empty\`/\`zeros\` count as allocation):

| caller | share of the step |
|---|---|
${callerRows}
`);
