// Frame-rate benchmark: the page's own frames per second (requestAnimationFrame callbacks) while
// a lab trains, with training in the Web Worker and on the main thread (`?worker=0`), measured in
// the same run. Prints a Markdown section for BENCHMARKS.md; asserts nothing.
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { chromium } from "playwright-core";
import { CHROMIUM_ARGS, serveDist } from "../scripts/serve-dist.mjs";
import { closeBrowser, finish } from "./finish.mjs";

const root = resolve(import.meta.dirname, "..");
/** Seconds of training before measuring, and measured. */
const WARMUP_SECONDS = 4;
const MEASURE_SECONDS = 10;
/** Labs measured: the default family and the one with the heaviest evaluation. */
const LABS = ["flow_matching", "score_sde"];

/** Runs in the page: counts frames for `seconds`, with the longest gap between two. */
async function countFrames(seconds) {
  return new Promise((done) => {
    const gaps = [];
    let last = performance.now();
    const end = last + seconds * 1000;
    const frame = (now) => {
      gaps.push(now - last);
      last = now;
      if (now < end) requestAnimationFrame(frame);
      else {
        gaps.sort((a, b) => a - b);
        done({ fps: gaps.length / seconds, p95: gaps[Math.floor(0.95 * gaps.length)], longest: gaps.at(-1) });
      }
    };
    requestAnimationFrame(frame);
  });
}

/** Longest a page may take (a stuck page is reported, not waited on forever). */
const PAGE_SECONDS = 120;

/** Measures the first lab of a fresh page at `url`; `{ error }` if it fails or takes too long. */
async function measurePage(url) {
  const page = await browser.newPage({ viewport: { width: 1100, height: 1300 } });
  const run = (async () => {
    await page.goto(url);
    await page.waitForSelector("body[data-ready]", { timeout: 60_000 });
    const cell = page.locator(".lab-cell").first();
    await cell.locator('[data-role="w2"]').filter({ hasText: /\d/ }).waitFor({ timeout: 60_000 });
    const idle = await page.evaluate(countFrames, 3);
    await cell.locator('[data-role="train"]').click();
    await page.waitForTimeout(WARMUP_SECONDS * 1000);
    const startStep = Number(await cell.locator('[data-role="step"]').textContent());
    const training = await page.evaluate(countFrames, MEASURE_SECONDS);
    const steps = Number(await cell.locator('[data-role="step"]').textContent()) - startStep;
    await cell.locator('[data-role="train"]').click();
    return { idle, training, stepsPerSecond: steps / MEASURE_SECONDS };
  })().catch((error) => ({ error: String(error).split("\n")[0] }));
  const deadline = new Promise((done) => setTimeout(() => done({ error: `no result within ${PAGE_SECONDS} s` }), PAGE_SECONDS * 1000));
  const result = await Promise.race([run, deadline]);
  await Promise.race([page.close(), new Promise((done) => setTimeout(done, 5000))]);
  return result;
}

const server = await serveDist(join(root, "dist"));
const browser = await chromium.launch({ executablePath: process.env.CHROME_BIN ?? "/usr/bin/chromium", args: CHROMIUM_ARGS });
const rows = [];
for (const family of LABS) {
  const measured = {};
  for (const [mode, query] of [["worker", ""], ["main thread", "&worker=0"]]) {
    measured[mode] = await measurePage(`${server.origin}/?backend=cpu&family=${family}${query}`);
    console.error(`bench: ${family} ${mode} ${JSON.stringify(measured[mode])}`);
  }
  rows.push([family, measured]);
}
await closeBrowser(browser);
server.close();
mkdirSync(join(root, "test-output"), { recursive: true });
writeFileSync(join(root, "test-output", "bench-frames.json"), JSON.stringify(Object.fromEntries(rows)));

const line = (family, mode, m, reference) =>
  m.error || reference.error
    ? `| ${family} | ${mode} | ${m.error ?? "–"} | | | | | |`
    : `| ${family} | ${mode} | ${m.idle.fps.toFixed(1)} | ${m.training.fps.toFixed(1)} | ${(m.training.fps / reference.training.fps).toFixed(2)}× | ${m.training.p95.toFixed(0)} ms | ${m.training.longest.toFixed(0)} ms | ${m.stepsPerSecond.toFixed(0)} |`;
finish(`## Frame rate while training (${new Date().toISOString().slice(0, 10)})

The page's own frames per second (requestAnimationFrame callbacks over ${MEASURE_SECONDS} s, after
${WARMUP_SECONDS} s of training) while one lab trains on the CPU backend at its defaults, with
training in the Web Worker (the default) and on the main thread (\`?worker=0\`), in the same run;
"idle" is the same page before Train. Headless Chromium paints without a display, so its frame
clock is its own; compare the rows with each other, not with a monitor's refresh rate.

| lab | training runs on | idle frames/s | frames/s while training | ratio to main thread | 95th-percentile frame | longest frame | steps/s |
|---|---|---|---|---|---|---|---|
${rows.flatMap(([family, m]) => [line(family, "worker", m.worker, m["main thread"]), line(family, "main thread", m["main thread"], m["main thread"])]).join("\n")}
`);
