// The page with its plain module swapped for another cargo build of the crate (names kept, no
// wasm-opt), for the scripts that profile one (bench/profile_step.mjs) or time two against each
// other (bench/products.mjs): dist/ copied, the module's bindings generated afresh for the build.
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dirname, "..");

/** cargo's wasm of the plain (`"plain"`) or relaxed-SIMD (`"relaxed"`) release build. */
export function cargoModule(module) {
  if (!["plain", "relaxed"].includes(module)) throw new Error("MODULE must be plain or relaxed");
  const target = process.env.CARGO_TARGET_DIR ?? join(root, "target");
  return join(target, ...(module === "relaxed" ? ["relaxed-simd"] : []), "wasm32-unknown-unknown", "release", "genlab.wasm");
}

/** A temporary copy of dist/ whose plain module (`?simd=plain`) is `wasm`; returns its directory. */
export function siteWithModule(wasm) {
  const site = mkdtempSync(join(tmpdir(), "genlab-module-"));
  cpSync(join(root, "dist"), site, { recursive: true });
  const outName = readdirSync(site).find((name) => name.endsWith("_bg.wasm") && !name.startsWith("genlab-relaxed-")).replace(/_bg\.wasm$/, "");
  execFileSync("wasm-bindgen", ["--target", "web", "--no-typescript", "--out-dir", site, "--out-name", outName, wasm]);
  return site;
}

/** In the page: imports the swapped module's bindings, starts it on the CPU path, as `window.genlab`. */
export async function startModule() {
  const { bindings, wasm } = document.querySelector("script[data-bindings]").dataset;
  const genlab = await import(bindings);
  await genlab.default({ module_or_path: wasm });
  await genlab.initBackend("cpu");
  window.genlab = genlab;
}
