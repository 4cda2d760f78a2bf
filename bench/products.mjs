// Matrix-product rates of two cargo builds of the module against each other, for a kernel lever's
// same-run before/after ratio (the levers table in bench/levers.md) in half a minute, where
// bench/builds.mjs needs two page builds and minutes: `node bench/products.mjs BEFORE.wasm
// AFTER.wasm` (cargo's wasm output; copy the before build aside first). Each build in its own
// page on the CPU path (`matmulProbe`, one thread), both warmed up for 6 s, then 8 rounds in
// alternating order at the shapes of GenLab's networks: a layer (512 × 128 × 128), its weight
// gradient's depth (128 × 512 × 128), the output layer (512 × 128 × 2) and the input layer
// (512 × 3 × 128). Prints a Markdown table: GFLOP/s, median [range], and after/before. Asserts
// nothing.
import { rmSync } from "node:fs";
import { resolve } from "node:path";
import { chromium } from "playwright-core";
import { CHROMIUM_ARGS, serveDist } from "../scripts/serve-dist.mjs";
import { closeBrowser, finish } from "./finish.mjs";
import { siteWithModule, startModule } from "./named_module.mjs";

const builds = process.argv.slice(2, 4).map((path) => resolve(path));
if (builds.length !== 2) throw new Error("usage: node bench/products.mjs BEFORE.wasm AFTER.wasm");
/** `[m, k, n, products per timing]`: each timing takes about 20–70 ms. */
const SHAPES = [[512, 128, 128, 200], [128, 512, 128, 200], [512, 128, 2, 2000], [512, 3, 128, 2000]];
const WARMUP_MS = 6000;
const ROUNDS = 8;

const browser = await chromium.launch({ executablePath: process.env.CHROME_BIN ?? "/usr/bin/chromium", args: CHROMIUM_ARGS });
const sites = builds.map(siteWithModule);
const servers = await Promise.all(sites.map((site) => serveDist(site)));
const pages = [];
for (const server of servers) {
  const page = await browser.newPage();
  await page.goto(`${server.origin}/?backend=cpu&simd=plain`);
  await page.waitForSelector("body[data-ready]", { timeout: 180_000 });
  await page.evaluate(startModule);
  pages.push(page);
}
/** GFLOP/s of one timing of `repeats` products `[m, k] · [k, n]`. */
const rate = (page, [m, k, n, repeats]) => page.evaluate(async ([m, k, n, repeats]) => {
  const start = performance.now();
  await window.genlab.matmulProbe(m, k, n, repeats);
  return (2 * m * k * n * repeats) / ((performance.now() - start) / 1000) / 1e9;
}, [m, k, n, repeats]);
for (const page of pages) {
  const start = Date.now();
  while (Date.now() - start < WARMUP_MS) for (const shape of SHAPES) await rate(page, shape);
}
const rates = pages.map(() => SHAPES.map(() => []));
for (let round = 0; round < ROUNDS; round++) {
  const order = round % 2 === 0 ? [0, 1] : [1, 0];
  for (const build of order) for (const [i, shape] of SHAPES.entries()) rates[build][i].push(await rate(pages[build], shape));
}
await closeBrowser(browser);
servers.forEach((server) => server.close());
sites.forEach((site) => rmSync(site, { recursive: true, force: true }));

const median = (values) => [...values].sort((a, b) => a - b)[values.length >> 1];
const text = (values) => `${median(values).toFixed(1)} [${Math.min(...values).toFixed(1)}–${Math.max(...values).toFixed(1)}]`;
const rows = SHAPES.map(([m, k, n], i) => {
  const [before, after] = rates.map((build) => build[i]);
  return `| ${m} × ${k} × ${n} | ${text(before)} | ${text(after)} | ${(median(after) / median(before)).toFixed(2)}× |`;
});
finish(`| product (m × k × n) | before, GFLOP/s | after, GFLOP/s | after / before |
|---|---|---|---|
${rows.join("\n")}`);
