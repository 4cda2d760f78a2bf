// The page's start: it loads the wasm module (relaxed SIMD where the browser runs it), starts the engine that runs the labs, and opens
// the notebook of the URL fragment (or a single lab from a legacy query, or the notebook saved
// in this browser, or the shipped tour) in the page (`notebook_page.ts`), with the labs' weights
// kept in this browser (`weights_store.ts`). It also wires the autosave's flush on leaving, the
// `postMessage` API of embed mode (`embedding.ts`) and the tests' fault hooks. If the start
// fails, the status line says why.

import { Autosave } from "./autosave";
import { EMBED, listenToParent } from "./embedding";
import { errorText } from "./engine";
import { chooseCpuModule, chooseThreads } from "./cpu_module";
import { startEngine, type ModuleUrls } from "./engine_start";
import { loadGenLab } from "./genlab";
import { HiddenTabPause } from "./hidden_tab";
import { isolatePage } from "./isolation";
import { fromFragment, type Notebook } from "./notebook";
import { NotebookPage } from "./notebook_page";
import { resolvePage, type PageElements } from "./page_elements";
import { parseQuery } from "./state";
import { tour } from "./tour";
import { WeightsStore, openIndexedDb } from "./weights_store";

/**
 * The notebook the page opens with, and what to say about it: the URL fragment's, a legacy
 * query's single lab, the notebook saved in this browser, or the tour (in that order).
 */
async function initialNotebook(autosave: Autosave | null): Promise<{ notebook: Notebook; message: string }> {
  const ignored = (errors: string[]) => (errors.length > 0 ? `Some settings in the link were ignored: ${errors.join("; ")}` : "");
  const fromLink = await fromFragment(location.hash.slice(1));
  if (fromLink.notebook !== null) return { notebook: fromLink.notebook, message: ignored(fromLink.errors) };
  if (location.search.length > 1) {
    const { state, errors } = parseQuery(location.search);
    return { notebook: { backend: state.backend, cells: [{ kind: "lab", lab: state }] }, message: ignored([...fromLink.errors, ...errors]) };
  }
  const saved = autosave?.restore() ?? { notebook: null, message: "" };
  const message = [ignored(fromLink.errors), saved.message].filter((text) => text !== "").join(" ");
  return { notebook: saved.notebook ?? tour(), message };
}

async function main(page: PageElements): Promise<void> {
  isolatePage();
  if (EMBED) document.body.classList.add("embed");
  const script = document.querySelector<HTMLScriptElement>("script[data-bindings]");
  const bindings = script?.dataset.bindings;
  const plainWasm = script?.dataset.wasm;
  if (script === null || bindings === undefined || plainWasm === undefined) throw new Error("the page was not built by Trunk");
  const cpuModule = chooseCpuModule(plainWasm, script.dataset.wasmRelaxed, location.search);
  const genlab = await loadGenLab(bindings, cpuModule.url);
  const threads = script.dataset.threads === undefined ? undefined : new URL(script.dataset.threads, document.baseURI).href;
  const workerModule = await chooseThreads(threads, {
    query: location.search,
    isolated: globalThis.crossOriginIsolated === true,
    cores: navigator.hardwareConcurrency ?? 1,
    relaxed: cpuModule.kind === "relaxed",
    webgpu: () => genlab.webgpuCandidate(),
  });
  const urls: ModuleUrls = { bindings, cpuModule, worker: new URL("worker.js", script.src).href, workerModule };
  const say = (text: string) => (page.message.textContent = text);
  const autosave = EMBED ? null : new Autosave(() => localStorage, say);
  const weights = EMBED ? null : new WeightsStore(openIndexedDb, say);
  const notebookPage = new NotebookPage(page, genlab, await startEngine(genlab, urls), urls, autosave, weights);
  listenToParent(notebookPage);
  addEventListener("pagehide", () => autosave?.flush());
  const hiddenTab = new HiddenTabPause(() => notebookPage.labCells(), (text) => notebookPage.say(text));
  addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") autosave?.flush();
    hiddenTab.onVisibility(document.visibilityState);
  });
  addEventListener("genlab:simulate-crash", (event) => {
    const kind = (event as CustomEvent<unknown>).detail;
    notebookPage.runtime.simulateCrash(kind === "trap" ? "trap" : "panic");
  });
  addEventListener("genlab:simulate-device-loss", () => notebookPage.runtime.simulateDeviceLoss());
  const { notebook, message } = await initialNotebook(autosave);
  await notebookPage.load(notebook);
  if (message !== "") notebookPage.say(message);
  document.body.dataset.ready = "true";
}

/** The page's status line, looked up before anything else, for the one message that must show. */
const status = document.getElementById("message");
try {
  main(resolvePage()).catch(failed);
} catch (error) {
  failed(error);
}

function failed(error: unknown): void {
  if (status !== null) status.textContent = `GenLab could not start: ${errorText(error)}`;
  document.body.dataset.ready = "failed";
}
