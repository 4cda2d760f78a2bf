// Threads (issue 22, part 3): the threaded CPU module (scripts/build-threads-module, which Trunk
// builds into dist/threads-<hash>/) with a pool of one and of two rayon workers, against the module
// the page loads in Chromium (relaxed SIMD, one thread). The five shared workloads at GenLab's
// defaults, each run in a fresh Web Worker of one cross-origin-isolated page (COOP/COEP), in the
// order page, 1, 2, 2, 1, page, each configuration's windows from its two runs pooled
// (bench/steady.mjs's protocol). Needs `trunk build --release` (dist/). Prints a Markdown
// section; asserts nothing. `node bench/threads.mjs BEFORE_DIST` instead times another build's
// threaded module against dist/'s, both with two workers, in the order before, after, after,
// before: a threads lever's same-run before/after (bench/levers.md). The scaling run also writes
// its pooled rates to test-output/bench-threads.json (bench/compare.mjs reads them).
import { createReadStream, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { extname, join, normalize, resolve } from "node:path";
import { chromium } from "playwright-core";
import { CHROMIUM_ARGS, ISOLATION, TYPES } from "../scripts/serve-dist.mjs";
import { closeBrowser, finish } from "./finish.mjs";
import { PROTOCOL_TEXT } from "./families.mjs";
import { WORKLOADS, faster, pooled, rateText, ratioText } from "./steady.mjs";

const root = resolve(import.meta.dirname, "..");
const beforeDist = process.argv[2] === undefined ? null : resolve(process.argv[2]);

/** The page's glue, relaxed module and threaded module's glue and `.wasm`, as `dist`'s page names them. */
function modules(dist) {
  const page = readFileSync(join(dist, "index.html"), "utf8");
  const attribute = (name) => page.match(new RegExp(`${name}="\\./([^"]+)"`))?.[1];
  const [glue, wasm, threads] = [attribute("data-bindings"), attribute("data-wasm-relaxed"), attribute("data-threads")];
  if (!glue || !wasm || !threads) throw new Error(`${dist}/index.html names no glue, relaxed or threaded module: run \`trunk build --release\``);
  return { glue, wasm, threads, threadsWasm: threads.replace(/genlab\.js$/, "genlab_bg.wasm") };
}
const shipped = modules(join(root, "dist"));

// /dist/, /bench/ (and /before/), every response with the headers of cross-origin isolation.
const ROOTS = { dist: join(root, "dist"), bench: join(root, "bench"), ...(beforeDist && { before: beforeDist }) };
const server = createServer((request, response) => {
  const path = normalize(decodeURIComponent(new URL(request.url, "http://x").pathname));
  if (path === "/") {
    response.writeHead(200, { "content-type": "text/html", ...ISOLATION }).end("<!doctype html><title>threads</title>");
    return;
  }
  const [, top, ...rest] = path.split("/");
  const base = ROOTS[top];
  const file = base && join(base, ...rest);
  if (!file || !file.startsWith(base) || !existsSync(file) || !statSync(file).isFile()) {
    response.writeHead(404).end();
    return;
  }
  response.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream", ...ISOLATION });
  createReadStream(file).pipe(response);
});
await new Promise((done) => server.listen(0, "127.0.0.1", done));
const origin = `http://127.0.0.1:${server.address().port}`;

const CONFIGURATIONS = {
  page: { glue: `/dist/${shipped.glue}`, wasm: `/dist/${shipped.wasm}`, threads: 0 },
  1: { glue: `/dist/${shipped.threads}`, wasm: `/dist/${shipped.threadsWasm}`, threads: 1 },
  2: { glue: `/dist/${shipped.threads}`, wasm: `/dist/${shipped.threadsWasm}`, threads: 2 },
};
if (beforeDist) {
  const before = modules(beforeDist);
  CONFIGURATIONS.before = { glue: `/before/${before.threads}`, wasm: `/before/${before.threadsWasm}`, threads: 2 };
}
const ORDER = beforeDist ? ["before", 2, 2, "before"] : ["page", 1, 2, 2, 1, "page"];
const browser = await chromium.launch({ executablePath: process.env.CHROME_BIN ?? "/usr/bin/chromium", args: CHROMIUM_ARGS });
const tab = await browser.newPage();
await tab.goto(`${origin}/`);
if (!(await tab.evaluate(() => crossOriginIsolated))) throw new Error("the page is not cross-origin isolated");
const runs = { page: [], 1: [], 2: [], before: [] };
for (const name of ORDER) {
  const result = await tab.evaluate((configuration) => new Promise((done) => {
    const worker = new Worker("/bench/threads_worker.js", { type: "module" });
    worker.onmessage = ({ data }) => { worker.terminate(); done(data); };
    worker.onerror = (event) => done({ error: event.message });
    worker.postMessage(configuration);
  }), CONFIGURATIONS[name]);
  if (result.error) throw new Error(`configuration ${name}: ${result.error}`);
  runs[name].push(result.rates);
}
await closeBrowser(browser);
server.close();

const rate = (name, cls) => pooled(runs[name][0][cls], runs[name][1][cls]);
const fasterRun = (name, cls) => faster(runs[name][0][cls], runs[name][1][cls]);

/** Another build's threaded module against dist/'s, two workers each. */
function printBeforeAfter() {
  const rows = WORKLOADS.map(([label, cls]) => {
    const [before, after] = [rate("before", cls), rate(2, cls)];
    return `| ${label} | ${rateText(before)} | ${rateText(after)} | ${ratioText(after, before)} |`;
  });
  finish(`### Threads: two builds' threaded modules, two workers each (${new Date().toISOString().slice(0, 10)}, \`node bench/threads.mjs ${process.argv[2]}\`)

Steps/s at GenLab's defaults in Web Workers of one cross-origin-isolated page, each build in two
fresh workers (order before, after, after, before; windows pooled). ${PROTOCOL_TEXT}.

| workload | before | after | after / before |
|---|---|---|---|
${rows.join("\n")}
`);
}

/**
 * The page's module against the threaded one with one and with two workers; the pooled rates,
 * and under `faster` each configuration's faster worker (`faster` in bench/steady.mjs), go to
 * test-output/bench-threads.json for bench/compare.mjs (GenLab as the page runs it against
 * PyTorch).
 */
function printScaling() {
  const configurations = { page: "page", one: 1, two: 2 };
  const byWorkload = (of, name) => Object.fromEntries(WORKLOADS.map(([, cls]) => [cls, of(name, cls)]));
  const json = Object.fromEntries(Object.entries(configurations).map(([key, name]) => [key, byWorkload(rate, name)]));
  json.faster = Object.fromEntries(Object.entries(configurations).map(([key, name]) => [key, byWorkload(fasterRun, name)]));
  mkdirSync(join(root, "test-output"), { recursive: true });
  writeFileSync(join(root, "test-output", "bench-threads.json"), JSON.stringify(json));
  const rows = WORKLOADS.map(([label, cls]) => {
    const [shipped, one, two] = [rate("page", cls), rate(1, cls), rate(2, cls)];
    return `| ${label} | ${rateText(shipped)} | ${rateText(one)} | ${rateText(two)} | ${ratioText(two, one)} | ${ratioText(two, shipped)} |`;
  });
  finish(`### Threads: the threaded CPU module with one and two workers (${new Date().toISOString().slice(0, 10)}, \`node bench/threads.mjs\`)

Steps/s on the CPU path at GenLab's defaults on 8 gaussians (batch 512, Adam), in Web Workers of
one cross-origin-isolated page: the page's module (relaxed SIMD, one thread) and the threaded
module (scripts/build-threads-module: relaxed SIMD, shared memory, training on a worker of a
rayon pool of 1 or 2, the fused layers' products and the SiLU passes split in two across it), each in two fresh
workers (order page, 1, 2, 2, 1, page; windows pooled). ${PROTOCOL_TEXT}.

| workload | page's module | threaded, 1 worker | threaded, 2 workers | 2 / 1 | 2 / page's |
|---|---|---|---|---|---|
${rows.join("\n")}
`);
}

if (beforeDist) printBeforeAfter();
else printScaling();
