// The page: a notebook of text and lab cells. It loads the wasm module, chooses the backend,
// builds the cells from the URL fragment (or a single lab from a legacy query, or the notebook
// saved in this browser, or the shipped tour), mirrors every change back to the fragment and to
// the browser's storage, and offers add, move, duplicate, delete, reset to lesson, export and
// import. If the engine crashes it restarts it and rebuilds the labs (`recovery.ts`). Every
// user-visible string goes in as text; Markdown goes through the sanitiser.

import { Autosave } from "./autosave";
import { MainThreadEngine, WorkerEngine, errorText, type Engine } from "./engine";
import { restartEngine, startEngine, type ModuleUrls } from "./engine_start";
import { download } from "./exports";
import { family } from "./families";
import { loadGenLab, type BackendInfo, type BackendPreference, type GenLab } from "./genlab";
import { LabCell } from "./lab_cell";
import { LIMITS, fromFragment, fromJson, toFragment, toJson, type Cell, type Notebook } from "./notebook";
import { instantiate, resolvePage, type PageElements } from "./page_elements";
import { Recovery } from "./recovery";
import { DEFAULT_STATE, HIDEABLE, parseQuery, type Hideable } from "./state";
import { TextCell } from "./text_cell";
import { tour } from "./tour";

type Live = { kind: "text"; cell: TextCell; frame: HTMLElement } | { kind: "lab"; cell: LabCell; frame: HTMLElement };

/** Embed mode (`?embed#nb=…`): the first lab cell alone, without page chrome, for an iframe. */
const EMBED = new URLSearchParams(location.search).has("embed");

class NotebookPage {
  private cells: Live[] = [];
  private backend: BackendPreference = "auto";
  /** The GPU failed: labs run on the CPU until the user chooses a backend. */
  private gpuFailed = false;
  /** Lab cells build their model when first seen. */
  private readonly visibility = new IntersectionObserver((entries) => {
    for (const entry of entries) {
      const live = this.cells.find((c) => c.frame === entry.target);
      if (entry.isIntersecting && live?.kind === "lab") void live.cell.activate();
    }
  });

  private readonly recovery = new Recovery({
    labs: () => this.labCells().map((cell) => ({ lab: cell, name: this.labName(cell) })),
    replaceEngine: async () => {
      const { engine, genlab } = await restartEngine(this.engine, this.genlab, this.urls);
      this.genlab = genlab;
      this.useEngine(engine);
      await this.startBackend();
    },
    useCpu: async (why) => {
      this.gpuFailed = true;
      this.showBackend({ ...(await this.engine.initBackend("cpu")), reason: `The GPU failed (${why}); labs run on the CPU.` });
    },
    say: (text) => this.say(text),
  });

  constructor(
    /** The page's own elements and templates, resolved before any content was rendered. */
    private readonly page: PageElements,
    /** The module on the main thread (dataset metadata, weights checks); replaced after its crash. */
    private genlab: GenLab,
    /** Where labs run; becomes the main thread if the worker cannot get the chosen backend. */
    private engine: Engine,
    private readonly urls: ModuleUrls,
    /** The notebook saved in this browser (none in embed mode). */
    private readonly autosave: Autosave | null,
  ) {
    this.useEngine(engine);
    page.addText.addEventListener("click", () => this.insert({ kind: "text", text: "New text: *Markdown* and $math$." }));
    page.addLab.addEventListener("click", () => this.insert({ kind: "lab", lab: { ...DEFAULT_STATE, backend: this.backend } }));
    page.resetLesson.addEventListener("click", () => {
      if (!confirm("Discard this notebook and restore the lesson?")) return;
      this.autosave?.clear();
      void this.load(tour());
    });
    page.exportJson.addEventListener("click", () => this.exportJson());
    page.importJson.addEventListener("change", (event) => void this.importJson(event));
    const backend = page.backend;
    backend.addEventListener("change", () => void this.switchBackend(backend.value as BackendPreference));
  }

  /** Shows a notebook-level message (plain text); empty clears it. */
  say(text: string): void {
    this.page.message.textContent = text;
  }

  /** Runs labs in `engine` from now on; its crash starts the recovery. */
  private useEngine(engine: Engine): void {
    this.engine = engine;
    engine.onCrash = (reason) => {
      if (engine === this.engine) this.recovery.engineCrashed(reason);
    };
  }

  /** Makes the engine that runs the labs panic (a test hook: a `genlab:simulate-panic` event). */
  simulatePanic(): void {
    void this.engine.simulatePanic().catch(() => undefined);
  }

  /** Loses the GPU device of WebGPU labs (a test hook: a `genlab:simulate-device-loss` event). */
  simulateDeviceLoss(): void {
    void this.engine.simulateDeviceLoss().catch(() => undefined);
  }

  private labCells(): LabCell[] {
    return this.cells.flatMap((live) => (live.kind === "lab" ? [live.cell] : []));
  }

  /** A lab cell's name in messages: its family and its place among the labs ("VAE (lab 2)"). */
  private labName(cell: LabCell): string {
    return `${family(cell.settings.family).label} (lab ${this.labCells().indexOf(cell) + 1})`;
  }

  /** Replaces the notebook. */
  async load(notebook: Notebook): Promise<void> {
    for (const live of this.cells) if (live.kind === "lab") live.cell.dispose();
    this.cells = [];
    this.page.cells.replaceChildren();
    this.backend = notebook.backend;
    this.page.backend.value = notebook.backend;
    await this.startBackend();
    const cells = EMBED ? notebook.cells.filter((c) => c.kind === "lab").slice(0, 1) : notebook.cells;
    for (const cell of cells) this.append(cell);
    await this.mirror();
  }

  private toNotebook(): Notebook {
    return {
      backend: this.backend,
      cells: this.cells.map((live): Cell =>
        live.kind === "text" ? { kind: "text", text: live.cell.text } : { kind: "lab", lab: live.cell.settings, hide: live.cell.hidden },
      ),
    };
  }

  private async mirror(): Promise<void> {
    const fragment = await toFragment(this.toNotebook());
    history.replaceState(null, "", `${location.pathname}${EMBED ? "?embed" : ""}#${fragment}`);
  }

  /** The notebook changed: mirror it to the link and save it in this browser. */
  private changed(): void {
    void this.mirror();
    this.autosave?.save(toJson(this.toNotebook()));
  }

  /**
   * The lesson-link builder of one cell: checkboxes of the controls to hide, and the link and
   * `<iframe>` snippet of this page in embed mode with a notebook of that cell alone.
   */
  private showEmbedLink(cell: LabCell): void {
    const boxes = HIDEABLE.map((name) => {
      const label = document.createElement("label");
      const box = document.createElement("input");
      box.type = "checkbox";
      box.value = name;
      box.checked = cell.hidden.includes(name);
      box.addEventListener("change", () => void update());
      label.append(box, ` ${name.replace(/_/g, " ")}`);
      return { label, box };
    });
    this.page.lessonControls.replaceChildren(...boxes.map((b) => b.label));
    const update = async () => {
      const hide = boxes.filter((b) => b.box.checked).map((b) => b.box.value as Hideable);
      const fragment = await toFragment({ backend: this.backend, cells: [{ kind: "lab", lab: cell.settings, hide }] });
      const link = new URL(`${location.pathname}?embed#${fragment}`, location.href).href;
      this.page.lessonLink.value = link;
      this.page.embedLink.value = `<iframe src="${link}" width="1000" height="1400" title="GenLab"></iframe>`;
    };
    this.page.embed.hidden = false;
    void update();
  }

  private build(cell: Cell, before: Element | null): Live {
    const frame = instantiate(this.page.templates.frame);
    if (cell.kind === "text") frame.querySelector('[data-action="embed"]')?.remove();
    // The frame's own tools, found before any cell content is inside it.
    const tools = [...frame.querySelectorAll<HTMLButtonElement>(".cell-tools button")];
    let live: Live;
    if (cell.kind === "text") {
      const root = instantiate(this.page.templates.text);
      live = { kind: "text", cell: new TextCell(root, cell.text, () => this.changed()), frame };
      frame.append(root);
    } else {
      const root = instantiate(this.page.templates.lab);
      const lab = new LabCell(root, () => this.genlab, () => this.engine, { ...cell.lab, backend: this.backend }, {
        onChange: () => this.changed(),
        onPlay: (playing) => {
          for (const other of this.labCells()) if (other !== playing) other.pause();
        },
        onDeviceFault: (faulty, message) => this.recovery.deviceFault(faulty, this.labName(faulty), message),
      });
      lab.setHidden(cell.hide ?? []);
      live = { kind: "lab", cell: lab, frame };
      frame.append(root);
      this.visibility.observe(frame);
    }
    for (const button of tools) button.addEventListener("click", () => void this.act(live, button.dataset.action ?? ""));
    this.page.cells.insertBefore(frame, before);
    return live;
  }

  private append(cell: Cell): void {
    if (this.cells.length >= LIMITS.cells) {
      this.say(`A notebook holds at most ${LIMITS.cells} cells.`);
      return;
    }
    this.cells.push(this.build(cell, null));
  }

  private insert(cell: Cell): void {
    this.append(cell);
    this.cells.at(-1)?.frame.scrollIntoView({ block: "nearest" });
    this.changed();
  }

  private async act(live: Live, action: string): Promise<void> {
    const index = this.cells.indexOf(live);
    if (index < 0) return;
    if (action === "embed") {
      if (live.kind === "lab") this.showEmbedLink(live.cell);
      return;
    }
    if (action === "delete") {
      if (live.kind === "lab") live.cell.dispose();
      live.frame.remove();
      this.cells.splice(index, 1);
    } else if (action === "duplicate") {
      if (this.cells.length >= LIMITS.cells) return this.say(`A notebook holds at most ${LIMITS.cells} cells.`);
      const cell: Cell =
        live.kind === "text" ? { kind: "text", text: live.cell.text } : { kind: "lab", lab: live.cell.settings, hide: live.cell.hidden };
      this.cells.splice(index + 1, 0, this.build(cell, live.frame.nextElementSibling));
    } else if (action === "up" || action === "down") {
      const target = action === "up" ? index - 1 : index + 1;
      if (target < 0 || target >= this.cells.length) return;
      const other = this.cells[target];
      if (action === "up") this.page.cells.insertBefore(live.frame, other.frame);
      else this.page.cells.insertBefore(other.frame, live.frame);
      [this.cells[index], this.cells[target]] = [other, live];
    }
    this.changed();
  }

  /**
   * Chooses the backend. If the worker cannot get it, labs move to the main thread; a forced
   * WebGPU that cannot run anywhere falls back to the CPU. Each fallback is said.
   */
  private async startBackend(): Promise<void> {
    const preference = this.gpuFailed ? "cpu" : this.backend;
    let info: BackendInfo;
    try {
      info = await this.engine.initBackend(preference);
    } catch (error) {
      if (this.engine instanceof WorkerEngine) {
        const main = new MainThreadEngine(this.genlab, `the main thread: the worker could not get ${preference} (${errorText(error)})`);
        try {
          info = await main.initBackend(preference);
          this.useEngine(main);
        } catch {
          info = await this.cpuFallback(error);
        }
      } else {
        info = await this.cpuFallback(error);
      }
    }
    this.showBackend(info);
  }

  /** The backend badge (and its reason on hover) and where labs run. */
  private showBackend(info: BackendInfo): void {
    const badge = this.page.backendBadge;
    badge.textContent = info.backend === "webgpu" ? `WebGPU · ${info.adapter ?? "adapter"}` : "CPU (wasm)";
    badge.title = info.reason;
    badge.className = `badge ${info.backend}`;
    badge.dataset.backend = info.backend;
    const where = this.page.engineBadge;
    const inWorker = this.engine instanceof WorkerEngine;
    where.textContent = inWorker ? "in a worker" : "on the main thread";
    where.title = `Training runs in ${this.engine.where}`;
    where.dataset.engine = inWorker ? "worker" : "main";
  }

  private async cpuFallback(error: unknown): Promise<BackendInfo> {
    this.say(`${errorText(error)} — using the CPU backend instead.`);
    return this.engine.initBackend("cpu");
  }

  private async switchBackend(preference: BackendPreference): Promise<void> {
    this.backend = preference;
    this.gpuFailed = false;
    await this.startBackend();
    for (const live of this.cells) {
      if (live.kind === "lab") {
        live.cell.setBackend(preference);
        if (live.cell.active) await live.cell.reset();
      }
    }
    this.changed();
  }

  /**
   * The `postMessage` API for a page that embeds this one: `{ genlab: "play" | "pause" |
   * "get-state" | "set-state", notebook? }` from the parent window; state replies go back to the
   * sender as `{ genlab: "state", notebook, errors }`. A notebook set this way is untrusted like
   * any other (validated, size-limited).
   */
  listen(): void {
    window.addEventListener("message", (event: MessageEvent) => {
      if (event.source !== window.parent || window.parent === window) return;
      const data: unknown = event.data;
      if (typeof data !== "object" || data === null || !("genlab" in data)) return;
      const reply = (errors: string[]) =>
        (event.source as Window).postMessage({ genlab: "state", notebook: toJson(this.toNotebook()), errors }, event.origin);
      const labs = this.cells.filter((c) => c.kind === "lab");
      switch ((data as { genlab: unknown }).genlab) {
        case "play":
          if (labs[0]?.kind === "lab") labs[0].cell.play();
          break;
        case "pause":
          for (const live of labs) if (live.kind === "lab") live.cell.pause();
          break;
        case "get-state":
          reply([]);
          break;
        case "set-state": {
          const text = (data as { notebook?: unknown }).notebook;
          const { notebook, errors } = fromJson(typeof text === "string" ? text : "");
          if (notebook === null) reply(errors);
          else void this.load(notebook).then(() => reply(errors));
          break;
        }
      }
    });
  }

  private exportJson(): void {
    download(new Blob([toJson(this.toNotebook())], { type: "application/json" }), "genlab-notebook.json");
  }

  private async importJson(event: Event): Promise<void> {
    const input = event.target as HTMLInputElement;
    const file = input.files?.[0];
    input.value = "";
    if (file === undefined) return;
    if (file.size > LIMITS.jsonBytes) {
      return this.say(`${file.name} was not imported: it is ${file.size} bytes, and a notebook file holds at most ${LIMITS.jsonBytes} bytes (1 MB).`);
    }
    const { notebook, errors } = fromJson(await file.text());
    if (notebook === null) return this.say(`${file.name} was not imported: ${errors.join("; ")}`);
    await this.load(notebook);
    this.changed();
    this.say(errors.length > 0 ? `Imported with some settings ignored: ${errors.join("; ")}` : `Imported ${file.name}.`);
  }
}

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
  if (EMBED) document.body.classList.add("embed");
  const script = document.querySelector<HTMLScriptElement>("script[data-bindings]");
  const bindings = script?.dataset.bindings;
  const wasm = script?.dataset.wasm;
  if (script === null || bindings === undefined || wasm === undefined) throw new Error("the page was not built by Trunk");
  const urls: ModuleUrls = { bindings, wasm, worker: new URL("worker.js", script.src).href };
  const genlab = await loadGenLab(bindings, wasm);
  const autosave = EMBED ? null : new Autosave(() => localStorage, (text) => (page.message.textContent = text));
  const notebookPage = new NotebookPage(page, genlab, await startEngine(genlab, urls), urls, autosave);
  notebookPage.listen();
  addEventListener("pagehide", () => autosave?.flush());
  addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") autosave?.flush();
  });
  addEventListener("genlab:simulate-panic", () => notebookPage.simulatePanic());
  addEventListener("genlab:simulate-device-loss", () => notebookPage.simulateDeviceLoss());
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
