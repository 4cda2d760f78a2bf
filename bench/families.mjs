// Training and sampling rates of the families in headless Chromium, at their defaults: shared by
// bench/browser.mjs (every family, in the full report) and bench/image_families.mjs (the image
// families alone). No figure is asserted.

/** Families timed at their defaults, with their timed steps on the CPU path (WebGPU: 3). */
export const FAMILY_STEPS = {
  FlowMatching: 100, Autoencoder: 100, Vae: 100, Gan: 100, Made: 100, RealNvp: 100, Ebm: 20,
  Ncsn: 100, Diffusion: 100, ScoreSde: 100,
};
/** Image families on the digits at their defaults (batch 128), with their timed CPU steps. */
export const IMAGE_FAMILY_STEPS = {
  PixelRnn: 20, PixelCnn: 20, ImageGpt: 20, IndependentPixels: 100, Vae: 100, VqVae: 50, Diffusion: 100,
  ConditionalDiffusion: 100, Gan: 100,
};
export const IMAGE_OPTIONS = { dataset: "digits", batch_size: 128, seed: 0 };
/** Time allowed to each family on WebGPU (the software adapter here is slow to compile). */
export const WEBGPU_FAMILY_SECONDS = 150;
/** Samples drawn when timing sampling, per backend: points, and images (a 16-image grid). */
export const FAMILY_SAMPLES = { cpu: 1000, webgpu: 256 };
export const IMAGE_SAMPLES = 16;

/** Runs in the page: training steps/s and samples/s of each family with `options`. */
export async function measureFamilies({ backend, familySteps, samples, options }) {
  const { bindings, wasm } = document.querySelector("script[data-bindings]").dataset;
  const genlab = await import(bindings);
  const exports = await genlab.default({ module_or_path: wasm });
  await genlab.initBackend(backend);
  const rates = {};
  for (const [name, cpuSteps] of Object.entries(familySteps)) {
    const steps = backend === "cpu" ? cpuSteps : 3;
    const slice = Math.min(5, steps);
    const lab = await genlab[name].create(options);
    await lab.train(Math.max(1, Math.floor(steps / 10)));
    const start = performance.now();
    for (let done = 0; done < steps; done += slice) await lab.train(slice);
    const trained = performance.now();
    await lab.sample(samples);
    const sampled = performance.now();
    // Weights in matrices, for the achieved-FLOP estimate 6·batch·weights per step.
    const { shapes } = genlab.weightsInfo(await lab.exportWeights());
    const weights = shapes.filter((shape) => shape.length >= 2).reduce((sum, shape) => sum + shape.reduce((a, b) => a * b, 1), 0);
    rates[name] = {
      steps: (1000 * steps) / (trained - start), samples: (1000 * samples) / (sampled - trained), weights,
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

/** Runs `familySteps` in a fresh page on `backend`; gives up after `seconds` (a hung device). */
export async function familiesInPage(browser, server, backend, familySteps, seconds, images = false) {
  const page = await browser.newPage();
  page.on("console", (message) => message.text().startsWith("bench:") && console.error(message.text()));
  await page.goto(`${server.origin}/?backend=cpu`);
  await page.waitForSelector("body[data-ready]", { timeout: 180_000 });
  const timeout = new Promise((resolve) => setTimeout(() => resolve({ error: `no result within ${seconds} s` }), seconds * 1000));
  const run = page
    .evaluate(measureFamilies, {
      backend, familySteps,
      samples: images ? IMAGE_SAMPLES : FAMILY_SAMPLES[backend],
      options: images ? IMAGE_OPTIONS : { batch_size: 512, seed: 0 },
    })
    .catch((error) => ({ error: String(error).split("\n")[0] }));
  const result = await Promise.race([run, timeout]);
  await page.close();
  return result;
}
/** Rows of a family table; ratios against `reference`'s CPU steps/s in the same run. */
export function familyRows({ cpu, webgpu }, reference) {
  if (cpu.error) return `| – | failed: ${cpu.error} | | | | |`;
  const cell = (r, key) => (r?.error ? r.error : r && r[key] ? r[key].toFixed(1) : "–");
  return Object.entries(cpu)
    .map(([name, r]) => `| ${name} | ${r.steps.toFixed(1)} | ${(r.steps / reference).toFixed(2)}× | ${r.samples.toFixed(1)} | ${cell(webgpu[name], "steps")} | ${cell(webgpu[name], "samples")} |`)
    .join("\n");
}
