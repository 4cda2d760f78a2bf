// TensorFlow.js reference in the same headless Chromium as GenLab's benchmark (the runtime GAN
// Lab and Diffusion Explorer use): GenLab's default flow matching and GAN workloads on tfjs's CPU
// and wasm (SIMD) backends, timed by bench/steady.mjs's protocol (both workloads in one page per
// backend, alternating). Bundles bench/tfjs_page.js with esbuild into test-output/tfjs-bench,
// serves it and prints one JSON object for bench/compare.mjs. Asserts nothing.
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { build } from "esbuild";
import { chromium } from "playwright-core";
import { CHROMIUM_ARGS, serveDist } from "../scripts/serve-dist.mjs";
import { closeBrowser, finish } from "./finish.mjs";
import { PROTOCOL, installSteadyRates } from "./steady.mjs";

const root = resolve(import.meta.dirname, "..");
const out = join(root, "test-output", "tfjs-bench");
mkdirSync(out, { recursive: true });
await build({
  entryPoints: [join(root, "bench", "tfjs_page.js")], bundle: true, format: "esm", minify: true,
  outfile: join(out, "tfjs_page.js"), logLevel: "warning",
});
const wasmDir = join(root, "bench", "node_modules", "@tensorflow", "tfjs-backend-wasm", "dist");
for (const file of readdirSync(wasmDir).filter((name) => name.endsWith(".wasm"))) {
  copyFileSync(join(wasmDir, file), join(out, file));
}
writeFileSync(join(out, "index.html"), '<!doctype html><script type="module" src="./tfjs_page.js"></script>');

/** The workloads, and the steps of one timed call. */
const WORKLOADS = ["flow_matching", "gan"];
const SLICE = 5;
const server = await serveDist(out);
const browser = await chromium.launch({ executablePath: process.env.CHROME_BIN ?? "/usr/bin/chromium", args: CHROMIUM_ARGS });
const results = {};
for (const backend of ["cpu", "wasm"]) {
  const page = await browser.newPage();
  await page.goto(`${server.origin}/`);
  await page.waitForFunction(() => typeof window.runTfjs === "function");
  await installSteadyRates(page);
  try {
    results[backend] = await page.evaluate((arg) => window.runTfjs(arg), { backend, workloads: WORKLOADS, slice: SLICE, protocol: PROTOCOL });
  } catch (error) {
    results[backend] = Object.fromEntries(WORKLOADS.map((name) => [name, { error: String(error).split("\n")[0] }]));
  }
  console.error(`tfjs ${backend}: ${JSON.stringify(results[backend])}`);
  await page.close();
}
await closeBrowser(browser);
server.close();
finish(JSON.stringify(results));
