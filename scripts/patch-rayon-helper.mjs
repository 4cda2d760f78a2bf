// `node scripts/patch-rayon-helper.mjs FILE`: adapts wasm-bindgen-rayon's worker helper (the
// `workerHelpers.js` snippet in the threaded module's output, run by scripts/build-threads-module)
// to how GenLab serves and supervises its pool. Each change names the exact text it replaces and
// fails the build if that text is not there exactly once (a new wasm-bindgen-rayon must be looked
// at, not patched blindly).
//
// 1. The helper imports its package by directory (`'../../..'`, for bundlers); no static server
//    answers a directory with the glue, so the import names `genlab.js`.
// 2. A pool thread runs the module's rayon loop (`wbg_rayon_start_worker`) with no handler: a trap
//    there (a Rust panic aborts) is an uncaught error in that thread's Web Worker, and the worker
//    the page talks to waits for the pool for good. The page's worker names its crash channel in
//    `globalThis.genlabPanicChannel` before it starts the pool (www/src/genlab.ts); the helper
//    hands it to each pool thread, whose trap is then posted on that `BroadcastChannel` (the page
//    treats it as a crash and recovers) instead of thrown. Without a channel the trap is thrown as
//    before.
import { readFileSync, writeFileSync } from "node:fs";

const [file] = process.argv.slice(2);
if (file === undefined) throw new Error("usage: node scripts/patch-rayon-helper.mjs workerHelpers.js");
let text = readFileSync(file, "utf8");
const eol = text.includes("\r\n") ? "\r\n" : "\n";

/** Replaces the one occurrence of `from` with `to` (lines joined by the file's own line ends). */
function replaceOnce(from, to) {
  const at = text.indexOf(from);
  if (at < 0 || text.indexOf(from, at + 1) >= 0) {
    throw new Error(`${file}: expected exactly one "${from}" (wasm-bindgen-rayon changed: review scripts/patch-rayon-helper.mjs)`);
  }
  text = text.slice(0, at) + to.join(eol) + text.slice(at + from.length);
}

replaceOnce("import('../../..')", ["import('../../../genlab.js')"]);
replaceOnce("receiver: builder.receiver()", ["receiver: builder.receiver(),", "    panicChannel: globalThis.genlabPanicChannel ?? null"]);
replaceOnce("async ({ init, receiver })", ["async ({ init, receiver, panicChannel })"]);
replaceOnce("  pkg.wbg_rayon_start_worker(receiver);", [
  "  try {",
  "    pkg.wbg_rayon_start_worker(receiver);",
  "  } catch (error) {",
  "    if (!panicChannel || !(error instanceof WebAssembly.RuntimeError)) throw error;",
  "    new BroadcastChannel(panicChannel).postMessage(`a thread of the pool stopped: ${error}`);",
  "  }",
]);
writeFileSync(file, text);
