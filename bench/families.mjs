// Training and sampling rates of the families in headless Chromium, at their defaults: shared by
// bench/browser.mjs (every family, in the full report) and bench/image_families.mjs (the image
// families alone). On the CPU path every training rate follows bench/steady.mjs's protocol (a
// warm-up to a steady state, alternating rounds, the median of the windows and their range).
// No figure is asserted.
import { PROTOCOL, installSteadyRates, rateText, ratioText } from "./steady.mjs";

/** Families timed at their defaults, with the steps of one `train` call on the CPU path (WebGPU: 1, 3 timed). */
export const FAMILY_SLICES = {
  FlowMatching: 10, Autoencoder: 10, Vae: 10, Gan: 5, Made: 10, RealNvp: 10, Ebm: 2,
  Ncsn: 10, Diffusion: 10, ScoreSde: 10,
};
/** Image families on the digits at their defaults (batch 128), with their CPU slices. */
export const IMAGE_FAMILY_SLICES = {
  PixelRnn: 2, PixelCnn: 2, ImageGpt: 2, IndependentPixels: 10, Vae: 5, VqVae: 2, Diffusion: 5,
  ConditionalDiffusion: 5, Gan: 5,
};
/** Steps timed per family on WebGPU (the software adapter here is far too slow for the protocol). */
const WEBGPU_STEPS = 3;
export const IMAGE_OPTIONS = { dataset: "digits", batch_size: 128, seed: 0 };
/** Time allowed to each family on WebGPU (the software adapter here is slow to compile). */
export const WEBGPU_FAMILY_SECONDS = 150;
/** Samples drawn when timing sampling, per backend: points, and images (a 16-image grid). */
export const FAMILY_SAMPLES = { cpu: 1000, webgpu: 256 };
export const IMAGE_SAMPLES = 16;

/**
 * Runs in the page (opened with the same `module`, so the page's own instance is this module):
 * training steps/s (`steps`: a steady rate on the CPU path, see bench/steady.mjs; on WebGPU
 * `WEBGPU_STEPS` after one) and samples/s of each family with `options`, every family's lab
 * alive at once so that the rounds alternate between them.
 */
export async function measureFamilies({ backend, familySlices, samples, options, protocol, webgpuSteps, module }) {
  const { bindings, wasm, wasmRelaxed } = document.querySelector("script[data-bindings]").dataset;
  const genlab = await import(bindings);
  const exports = await genlab.default({ module_or_path: module === "plain" ? wasm : wasmRelaxed });
  const instructions = genlab.cpuInstructions();
  if (instructions !== (module === "plain" ? "wasm SIMD" : "wasm SIMD + FMA")) throw new Error(`asked for the ${module} module, got ${instructions}`);
  await genlab.initBackend(backend);
  const labs = {};
  for (const name of Object.keys(familySlices)) labs[name] = await genlab[name].create(options);
  const steps = {};
  if (backend === "cpu") {
    const subjects = Object.entries(familySlices).map(([name, slice]) => ({ name, slice, train: (n) => labs[name].train(n) }));
    Object.assign(steps, await globalThis.steadyRates(subjects, protocol));
  } else {
    for (const [name, lab] of Object.entries(labs)) {
      await lab.train(1);
      const start = performance.now();
      await lab.train(webgpuSteps);
      const rate = (1000 * webgpuSteps) / (performance.now() - start);
      steps[name] = { median: rate, min: rate, max: rate, windows: [rate] };
    }
  }
  const rates = {};
  for (const [name, lab] of Object.entries(labs)) {
    await lab.sample(samples);
    const start = performance.now();
    await lab.sample(samples);
    const sampled = performance.now();
    // Weights in matrices, for the achieved-FLOP estimate 6·batch·weights per step.
    const { shapes } = genlab.weightsInfo(await lab.exportWeights());
    const weights = shapes.filter((shape) => shape.length >= 2).reduce((sum, shape) => sum + shape.reduce((a, b) => a * b, 1), 0);
    rates[name] = {
      steps: steps[name].median, stepRate: steps[name], samples: (1000 * samples) / (sampled - start), weights,
      memoryBytes: exports.memory.buffer.byteLength,
    };
    console.log(`bench: ${backend} ${name} ${JSON.stringify(rates[name])}`);
    lab.free();
  }
  return rates;
}

/** What drawing the image grid costs per family, for the report's text. */
export const IMAGE_SAMPLING_COSTS =
  "Pixel RNN: 64 sequential LSTM steps; PixelCNN: 64 network passes, one per pixel; image-GPT: 64 " +
  "transformer passes on growing prefixes; one-shot: one draw; VQ-VAE: 16 prior passes and one decoding; " +
  "DDPM: 100 steps; class-conditional DDPM: 20 DDIM steps, two network passes each when guided (not at its default digit, any)";

/**
 * Runs `familySlices` in a fresh page on `backend`, with the wasm `module` Chromium gets
 * (`"relaxed"`, fused multiply-add) or the plain one; gives up after `seconds` (a hung device).
 */
export async function familiesInPage(browser, server, backend, familySlices, seconds, images = false, module = "relaxed") {
  const page = await browser.newPage();
  page.on("console", (message) => message.text().startsWith("bench:") && console.error(message.text()));
  await page.goto(`${server.origin}/?backend=cpu${module === "plain" ? "&simd=plain" : ""}`);
  await page.waitForSelector("body[data-ready]", { timeout: 180_000 });
  await installSteadyRates(page);
  const timeout = new Promise((resolve) => setTimeout(() => resolve({ error: `no result within ${seconds} s` }), seconds * 1000));
  const run = page
    .evaluate(measureFamilies, {
      backend, familySlices, protocol: PROTOCOL, webgpuSteps: WEBGPU_STEPS, module,
      samples: images ? IMAGE_SAMPLES : FAMILY_SAMPLES[backend],
      options: images ? IMAGE_OPTIONS : { batch_size: 512, seed: 0 },
    })
    .catch((error) => ({ error: String(error).split("\n")[0] }));
  const result = await Promise.race([run, timeout]);
  await page.close();
  return result;
}
/**
 * Rows of a family table: CPU steps/s (median and range of the windows), the ratio to
 * `reference` (a steady rate of the same run), samples/s, and the WebGPU figures.
 */
export function familyRows({ cpu, webgpu }, reference) {
  if (cpu.error) return `| – | failed: ${cpu.error} | | | | |`;
  const cell = (r, key) => (r?.error ? r.error : r && r[key] ? r[key].toFixed(1) : "–");
  return Object.entries(cpu)
    .map(([name, r]) => `| ${name} | ${rateText(r.stepRate)} | ${ratioText(r.stepRate, reference)} | ${r.samples.toFixed(1)} | ${cell(webgpu[name], "steps")} | ${cell(webgpu[name], "samples")} |`)
    .join("\n");
}

/** The protocol in words, for the reports. */
export const PROTOCOL_TEXT =
  `CPU-path training rates follow bench/steady.mjs: windows of at least ${PROTOCOL.windowSeconds} s; a warm-up until two ` +
  `consecutive windows agree within ${100 * PROTOCOL.tolerance} % (at least ${PROTOCOL.minWarmupSeconds} s, while V8 tiers the ` +
  `module up); then ${PROTOCOL.rounds} windows per family in alternating order; the median, with the windows' range in brackets`;
