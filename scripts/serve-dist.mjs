// What every headless run of the built page shares: a static file server for dist/ on 127.0.0.1
// (scripts/serve's, through static-server.mjs, on a fixed port; the end-to-end tests' and the
// benchmark's on an ephemeral one) and the Chromium flags they launch the browser with.
import { createReadStream, existsSync, statSync } from "node:fs";
import { createServer } from "node:http";
import { extname, join, normalize } from "node:path";

/** Content types by file extension (bench/threads.mjs's isolated server uses them too). */
export const TYPES = {
  ".html": "text/html", ".js": "text/javascript", ".mjs": "text/javascript", ".wasm": "application/wasm",
  ".css": "text/css", ".map": "application/json",
};

/**
 * The headers that make a page cross-origin isolated (shared memory, hence the threaded CPU
 * module), and let a cross-origin page that is itself isolated embed it.
 */
export const ISOLATION = {
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-embedder-policy": "require-corp",
  "cross-origin-resource-policy": "cross-origin",
};

/**
 * Serves `dist` on `port` (0: any free one), every response with `ISOLATION`'s headers unless
 * `isolated` is false (a static host that cannot send headers, where the page's service worker
 * adds them); resolves to `{ origin, close }`.
 */
export async function serveDist(dist, port = 0, { isolated = true } = {}) {
  if (!existsSync(join(dist, "index.html"))) throw new Error(`${dist} has no index.html: run \`trunk build\` first`);
  const server = createServer((request, response) => {
    const path = normalize(decodeURIComponent(new URL(request.url, "http://x").pathname));
    const file = join(dist, path.endsWith("/") ? `${path}index.html` : path);
    if (!file.startsWith(dist) || !existsSync(file) || !statSync(file).isFile()) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream", ...(isolated ? ISOLATION : {}) });
    createReadStream(file).pipe(response);
  });
  await new Promise((done, fail) => {
    server.once("error", fail);
    server.listen(port, "127.0.0.1", done);
  });
  return { origin: `http://127.0.0.1:${server.address().port}`, close: () => server.close() };
}

/** Chromium flags for headless runs on this machine (WebGPU via the software adapter). */
export const CHROMIUM_ARGS = [
  "--no-sandbox", "--disable-dev-shm-usage", "--disable-background-networking",
  "--disable-component-update", "--no-first-run", "--disable-sync", "--enable-unsafe-webgpu",
];
