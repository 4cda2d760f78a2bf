// The notebook on the page: its text and lab cells in their frames, with the cell tools (move,
// duplicate, delete, lesson link) and the page's buttons (add a cell, reset to the lesson,
// export, import, the backend chooser). Every change is mirrored to the URL fragment and saved
// in this browser. Where the labs run is `lab_runtime.ts`'s; embed mode and the `postMessage`
// API are `embedding.ts`'s. Every user-visible string goes in as text.

import type { Autosave } from "./autosave";
import { pageLink, shownCells, type EmbeddedPage } from "./embedding";
import type { Engine } from "./engine";
import type { ModuleUrls } from "./engine_start";
import { download } from "./exports";
import { family } from "./families";
import type { BackendPreference, GenLab } from "./genlab";
import { LabCell } from "./lab_cell";
import { LabRuntime } from "./lab_runtime";
import { showLessonLink } from "./lesson_links";
import { LIMITS, fromJson, toFragment, toJson, type Cell, type Notebook } from "./notebook";
import { instantiate, type PageElements } from "./page_elements";
import { DEFAULT_STATE } from "./state";
import { TextCell } from "./text_cell";
import { tour } from "./tour";
import type { WeightsStore } from "./weights_store";

type Live = { kind: "text"; cell: TextCell; frame: HTMLElement } | { kind: "lab"; cell: LabCell; frame: HTMLElement };

/** The notebook on the page (see the top of this file). */
export class NotebookPage implements EmbeddedPage {
  private cells: Live[] = [];
  /** Lab cells build their model when first seen. */
  private readonly visibility = new IntersectionObserver((entries) => {
    for (const entry of entries) {
      const live = this.cells.find((c) => c.frame === entry.target);
      if (entry.isIntersecting && live?.kind === "lab") void live.cell.activate();
    }
  });
  /** The engine and backend the labs run on. */
  readonly runtime: LabRuntime;

  constructor(
    /** The page's own elements and templates, resolved before any content was rendered. */
    private readonly page: PageElements,
    /** The module on the main thread (dataset metadata, weights checks). */
    genlab: GenLab,
    /** Where labs run at first. */
    engine: Engine,
    urls: ModuleUrls,
    /** The notebook saved in this browser (none in embed mode). */
    private readonly autosave: Autosave | null,
    /** The labs' weights kept in this browser across reloads (none in embed mode). */
    private readonly weights: WeightsStore | null,
  ) {
    this.runtime = new LabRuntime(page, genlab, engine, urls, {
      labs: () => this.labCells().map((cell) => ({ lab: cell, name: this.labName(cell) })),
      say: (text) => this.say(text),
    });
    page.addText.addEventListener("click", () => this.insert({ kind: "text", text: "New text: *Markdown* and $math$." }));
    page.addLab.addEventListener("click", () => this.insert({ kind: "lab", lab: { ...DEFAULT_STATE, backend: this.runtime.preference } }));
    page.resetLesson.addEventListener("click", () => {
      if (!confirm("Discard this notebook and restore the lesson?")) return;
      this.autosave?.clear();
      void this.weights?.clear();
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

  /** The lab cells in notebook order. */
  labCells(): LabCell[] {
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
    await this.runtime.open(notebook.backend);
    for (const cell of shownCells(notebook.cells)) this.append(cell);
    await this.mirror();
  }

  /** The notebook as it stands: the backend choice and every cell's content. */
  toNotebook(): Notebook {
    return {
      backend: this.runtime.preference,
      cells: this.cells.map((live): Cell =>
        live.kind === "text" ? { kind: "text", text: live.cell.text } : live.cell.toCell(),
      ),
    };
  }

  private async mirror(): Promise<void> {
    const fragment = await toFragment(this.toNotebook());
    history.replaceState(null, "", pageLink(fragment));
  }

  /** The notebook changed: mirror it to the link and save it in this browser. */
  private changed(): void {
    void this.mirror();
    this.autosave?.save(toJson(this.toNotebook()));
    void this.weights?.retain(new Set(this.weightsKeys().values()));
  }

  /**
   * Where each lab's weights are kept in this browser: its cell as notebook JSON (its settings
   * and data, so weights load only into a lab set up as the one they were trained in) and its
   * place among the labs set up the same way.
   */
  private weightsKeys(): Map<LabCell, string> {
    const seen = new Map<string, number>();
    const keys = new Map<LabCell, string>();
    for (const lab of this.labCells()) {
      const setUp = toJson({ backend: "auto", cells: [{ ...lab.toCell(), hide: [] }] });
      const before = seen.get(setUp) ?? 0;
      seen.set(setUp, before + 1);
      keys.set(lab, `${setUp}#${before}`);
    }
    return keys;
  }

  /** Where `cell`'s weights are kept (see `weightsKeys`). */
  private weightsKey(cell: LabCell): string {
    return this.weightsKeys().get(cell) ?? "";
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
      const lab = new LabCell(root, () => this.runtime.genlab, () => this.runtime.engine, { ...cell.lab, backend: this.runtime.preference }, {
        onChange: () => this.changed(),
        onPlay: (playing) => {
          for (const other of this.labCells()) if (other !== playing) other.pause();
        },
        onDeviceFault: (faulty, message) => this.runtime.deviceFault(faulty, this.labName(faulty), message),
        keptWeights: async (lab) => (await this.weights?.load(this.weightsKey(lab), this.labName(lab))) ?? null,
        onSnapshot: (lab, weights) => void this.weights?.save(this.weightsKey(lab), this.labName(lab), weights),
        onKeptRefused: (lab, why) => void this.weights?.discard(this.weightsKey(lab), this.labName(lab), why),
        onReset: (lab) => void this.weights?.forget(this.weightsKey(lab)),
      }, cell.drawing);
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
      if (live.kind === "lab") showLessonLink(this.page, live.cell, () => this.runtime.preference);
      return;
    }
    if (action === "delete") {
      if (live.kind === "lab") live.cell.dispose();
      live.frame.remove();
      this.cells.splice(index, 1);
    } else if (action === "duplicate") {
      if (this.cells.length >= LIMITS.cells) return this.say(`A notebook holds at most ${LIMITS.cells} cells.`);
      const cell: Cell =
        live.kind === "text" ? { kind: "text", text: live.cell.text } : live.cell.toCell();
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

  /** The user chose a backend: it starts, and every built lab is rebuilt on it. */
  private async switchBackend(preference: BackendPreference): Promise<void> {
    await this.runtime.choose(preference);
    for (const live of this.cells) {
      if (live.kind === "lab") {
        live.cell.setBackend(preference);
        if (live.cell.active) await live.cell.reset();
      }
    }
    this.changed();
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
