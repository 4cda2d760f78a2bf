// The soak: every family (the ten 2-D ones on 8 gaussians, the four image ones on the digits)
// trains in one headless-Chromium page for SOAK_MINUTES (default 30), round robin, each lab a
// slice of steps then, in turn, an evaluation; the wasm linear memory, the JS heap and the
// device allocator's bytes are recorded every SAMPLE_SECONDS. Prints a Markdown section (the
// curve and whether it is flat after the warm-up); `scripts/soak` writes it to bench/soak.md,
// which `scripts/bench` includes in BENCHMARKS.md. Asserts nothing.
import { join, resolve } from "node:path";
import { chromium } from "playwright-core";
import { CHROMIUM_ARGS, serveDist } from "../scripts/serve-dist.mjs";
import { closeBrowser, finish } from "./finish.mjs";
import { soakReport } from "./soak_report.mjs";

const root = resolve(import.meta.dirname, "..");
const minutes = Number(process.env.SOAK_MINUTES ?? 30);
const backend = process.env.SOAK_BACKEND ?? "cpu";
const SAMPLE_SECONDS = 30;

const LABS = [
  ["FlowMatching", {}], ["Autoencoder", {}], ["Vae", {}], ["Gan", {}], ["Made", {}],
  ["RealNvp", {}], ["Ebm", {}], ["Ncsn", {}], ["Diffusion", {}], ["ScoreSde", {}],
  ["PixelCnn", { dataset: "digits", batch_size: 64, channels: 16, layers: 2 }],
  ["Vae", { dataset: "digits", batch_size: 128 }],
  ["Diffusion", { dataset: "digits", batch_size: 128 }],
  ["Gan", { dataset: "digits", batch_size: 128 }],
];

/** Runs in the page: the round robin, sampling memory; resolves to the samples. */
async function soak({ backend, labs, seconds, sampleSeconds }) {
  const { bindings, wasmRelaxed } = document.querySelector("script[data-bindings]").dataset;
  const genlab = await import(bindings);
  const exports = await genlab.default({ module_or_path: wasmRelaxed });
  await genlab.initBackend(backend);
  const built = [];
  for (const [name, options] of labs) built.push({ name, images: options.dataset === "digits", lab: await genlab[name].create({ seed: 0, ...options }) });
  const samples = [];
  const start = performance.now();
  let next = 0;
  let steps = 0;
  let round = 0;
  const faults = [];
  while (performance.now() - start < seconds * 1000) {
    for (const [k, { name, lab, images }] of built.entries()) {
      // A numerical fault pauses a lab in the page and restores its weights: here it is
      // counted and the round robin goes on, as a student would press Train again.
      try {
        await lab.train(5);
        steps += 5;
        if (k === round % built.length) await lab.evaluate(images ? 64 : 500);
      } catch (error) {
        if (typeof error?.what !== "string") throw error;
        faults.push(`${name}${images ? " (digits)" : ""}: ${error.message}`);
      }
    }
    round += 1;
    const elapsed = (performance.now() - start) / 1000;
    if (elapsed >= next) {
      const device = await genlab.deviceMemory();
      samples.push({
        seconds: elapsed, steps, wasm: exports.memory.buffer.byteLength,
        heap: performance.memory?.usedJSHeapSize ?? null, device,
      });
      console.log(`soak: ${JSON.stringify(samples.at(-1))}`);
      next += sampleSeconds;
    }
  }
  for (const { lab } of built) lab.free();
  return { samples, faults };
}

const server = await serveDist(join(root, "dist"));
const browser = await chromium.launch({ executablePath: process.env.CHROME_BIN ?? "/usr/bin/chromium", args: [...CHROMIUM_ARGS, "--enable-precise-memory-info"] });
const page = await browser.newPage();
page.on("console", (message) => message.text().startsWith("soak:") && console.error(message.text()));
await page.goto(`${server.origin}/?backend=cpu`);
await page.waitForSelector("body[data-ready]", { timeout: 180_000 });
let result;
try {
  result = await page.evaluate(soak, { backend, labs: LABS, seconds: minutes * 60, sampleSeconds: SAMPLE_SECONDS });
} catch (error) {
  result = { samples: { error: String(error).split("\n")[0] }, faults: [] };
}
await closeBrowser(browser);
server.close();

finish(`## Soak on the ${backend} backend (${new Date().toISOString().slice(0, 10)}, \`scripts/soak\`)

${soakReport({ ...result, labs: LABS.length, backend, minutes, sampleSeconds: SAMPLE_SECONDS })}
`);
