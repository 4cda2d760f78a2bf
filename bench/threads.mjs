// Threads (issue 22, part 3): the threaded CPU module (scripts/build-threads-module, built here
// into a temporary directory) with a pool of one and of two rayon workers, against the module
// the page loads in Chromium (relaxed SIMD, one thread). The five shared workloads at GenLab's
// defaults, each run in a fresh Web Worker of one cross-origin-isolated page (COOP/COEP), in the
// order page, 1, 2, 2, 1, page, each configuration's windows from its two runs pooled
// (bench/steady.mjs's protocol). Needs `trunk build --release` (dist/). Prints a Markdown
// section; asserts nothing.
import { spawnSync } from "node:child_process";
import { createReadStream, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { extname, join, normalize, resolve } from "node:path";
import { chromium } from "playwright-core";
import { CHROMIUM_ARGS, TYPES } from "../scripts/serve-dist.mjs";
import { closeBrowser, finish } from "./finish.mjs";
import { PROTOCOL_TEXT } from "./families.mjs";
import { WORKLOADS, pooled, rateText, ratioText } from "./steady.mjs";

const root = resolve(import.meta.dirname, "..");
const threadsDir = mkdtempSync(join(tmpdir(), "genlab-threads-"));
const built = spawnSync("bash", [join(root, "scripts/build-threads-module"), threadsDir], { stdio: ["ignore", "ignore", "inherit"] });
if (built.status !== 0) throw new Error("scripts/build-threads-module failed");

const page = readFileSync(join(root, "dist/index.html"), "utf8");
const attribute = (name) => page.match(new RegExp(`${name}="\\./([^"]+)"`))?.[1];
const [pageGlue, pageWasm] = [attribute("data-bindings"), attribute("data-wasm-relaxed")];
if (!pageGlue || !pageWasm) throw new Error("dist/index.html names no glue or relaxed module: run `trunk build --release`");

// /dist/, /threads/ and /bench/, every response with the headers of cross-origin isolation.
const ROOTS = { dist: join(root, "dist"), threads: threadsDir, bench: join(root, "bench") };
const ISOLATION = { "cross-origin-opener-policy": "same-origin", "cross-origin-embedder-policy": "require-corp" };
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
  page: { glue: `/dist/${pageGlue}`, wasm: `/dist/${pageWasm}`, threads: 0 },
  1: { glue: "/threads/genlab.js", wasm: "/threads/genlab_bg.wasm", threads: 1 },
  2: { glue: "/threads/genlab.js", wasm: "/threads/genlab_bg.wasm", threads: 2 },
};
const browser = await chromium.launch({ executablePath: process.env.CHROME_BIN ?? "/usr/bin/chromium", args: CHROMIUM_ARGS });
const tab = await browser.newPage();
await tab.goto(`${origin}/`);
if (!(await tab.evaluate(() => crossOriginIsolated))) throw new Error("the page is not cross-origin isolated");
const runs = { page: [], 1: [], 2: [] };
for (const name of ["page", 1, 2, 2, 1, "page"]) {
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
rmSync(threadsDir, { recursive: true, force: true });

const rate = (name, cls) => pooled(runs[name][0][cls], runs[name][1][cls]);
const rows = WORKLOADS.map(([label, cls]) => {
  const [shipped, one, two] = [rate("page", cls), rate(1, cls), rate(2, cls)];
  return `| ${label} | ${rateText(shipped)} | ${rateText(one)} | ${rateText(two)} | ${ratioText(two, one)} | ${ratioText(two, shipped)} |`;
});
finish(`### Threads: the threaded CPU module with one and two workers (${new Date().toISOString().slice(0, 10)}, \`node bench/threads.mjs\`)

Steps/s on the CPU path at GenLab's defaults on 8 gaussians (batch 512, Adam), in Web Workers of
one cross-origin-isolated page: the page's module (relaxed SIMD, one thread) and the threaded
module (scripts/build-threads-module: relaxed SIMD, shared memory, training on a worker of a
rayon pool of 1 or 2, the fused layers' products split in two across it), each in two fresh
workers (order page, 1, 2, 2, 1, page; windows pooled). ${PROTOCOL_TEXT}.

| workload | page's module | threaded, 1 worker | threaded, 2 workers | 2 / 1 | 2 / page's |
|---|---|---|---|---|---|
${rows.join("\n")}
`);
