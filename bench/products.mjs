// Matrix-product rates of two cargo builds of the module against each other, for a kernel lever's
// same-run before/after ratio (the levers table in bench/levers.md) in two minutes, where
// bench/builds.mjs needs two page builds: `node bench/products.mjs BEFORE.wasm AFTER.wasm`
// (cargo's wasm output; copy the before build aside first). Each build in two fresh pages (order
// before, after, after, before; windows pooled) on the CPU path (`matmulProbe`, one thread), at
// the shapes of GenLab's networks: a layer (512 × 128 × 128), its weight gradient's depth
// (128 × 512 × 128), the output layer (512 × 128 × 2) and the input layer (512 × 3 × 128); each
// shape's rate is steady (bench/steady.mjs's protocol, the shapes its subjects). Prints a
// Markdown table: GFLOP/s, median (range), and after/before. Asserts nothing.
import { rmSync } from "node:fs";
import { resolve } from "node:path";
import { chromium } from "playwright-core";
import { CHROMIUM_ARGS, serveDist } from "../scripts/serve-dist.mjs";
import { closeBrowser, finish } from "./finish.mjs";
import { siteWithModule, startModule } from "./named_module.mjs";
import { PROTOCOL, installSteadyRates, pooled, rateText, ratioText } from "./steady.mjs";

const builds = process.argv.slice(2, 4).map((path) => resolve(path));
if (builds.length !== 2) throw new Error("usage: node bench/products.mjs BEFORE.wasm AFTER.wasm");
/** `[m, k, n, products per call]`: as bench/browser.mjs's roof, each call 10–70 ms (a call draws its operands too). */
const SHAPES = [[512, 128, 128, 200], [128, 512, 128, 200], [512, 128, 2, 2000], [512, 3, 128, 2000]];

/** In the page: each shape's steady rate in products/s (`matmulProbe` calls as slices). */
function productRates({ shapes, protocol }) {
  const subjects = shapes.map(([m, k, n, repeats]) => ({
    name: `${m}×${k}×${n}`,
    slice: repeats,
    train: (products) => window.genlab.matmulProbe(m, k, n, products),
  }));
  return globalThis.steadyRates(subjects, protocol);
}

const browser = await chromium.launch({ executablePath: process.env.CHROME_BIN ?? "/usr/bin/chromium", args: CHROMIUM_ARGS });
const sites = builds.map(siteWithModule);
const servers = await Promise.all(sites.map((site) => serveDist(site)));
const runs = [[], []];
for (const build of [0, 1, 1, 0]) {
  const page = await browser.newPage();
  await page.goto(`${servers[build].origin}/?backend=cpu&simd=plain`);
  await page.waitForSelector("body[data-ready]", { timeout: 180_000 });
  await page.evaluate(startModule);
  await installSteadyRates(page);
  runs[build].push(await page.evaluate(productRates, { shapes: SHAPES, protocol: PROTOCOL }));
  await page.close();
}
await closeBrowser(browser);
servers.forEach((server) => server.close());
sites.forEach((site) => rmSync(site, { recursive: true, force: true }));

/** A pooled rate in products/s as GFLOP/s. */
const gflops = (rate, [m, k, n]) => {
  const scale = (2 * m * k * n) / 1e9;
  return { ...rate, windows: rate.windows.map((w) => w * scale), median: rate.median * scale, min: rate.min * scale, max: rate.max * scale };
};
const rows = SHAPES.map((shape) => {
  const name = `${shape[0]}×${shape[1]}×${shape[2]}`;
  const [before, after] = runs.map((pages) => gflops(pooled(...pages.map((rates) => rates[name])), shape));
  return `| ${shape.slice(0, 3).join(" × ")} | ${rateText(before)} | ${rateText(after)} | ${ratioText(after, before)} |`;
});
finish(`| product (m × k × n) | before, GFLOP/s | after, GFLOP/s | after / before |
|---|---|---|---|
${rows.join("\n")}`);
