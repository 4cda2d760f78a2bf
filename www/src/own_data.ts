// A 2-D lab's own data: points drawn on its data plot (carried in the notebook, so in links,
// files, autosave and embed snippets), CSV pasted, or a CSV file chosen or dropped on the lab
// (these stay out of links: they can be large). Rust validates every point and names a bad line;
// a rejected dataset leaves the lab as it was. Plain text only.

import { decodeDrawing, drawingCsv, type DrawingWindow, type EncodedDrawing } from "./drawn_points";
import { DrawingPanel } from "./drawing_panel";
import type { CustomDataset } from "./genlab";

/** Largest CSV file read (the limit Rust enforces on CSV text). */
export const MAX_CSV_FILE_BYTES = 4 * 1024 * 1024;

/** What a lab's own data needs of its cell. */
export interface OwnDataHost {
  /** Whether the lab learns images (own data is 2-D). */
  images(): boolean;
  /** Rebuilds the lab on the data now chosen; false (with the reason said) when it was rejected. */
  reset(): Promise<boolean>;
  /** The notebook's copy of the lab changed (a drawing came or went). */
  changed(): void;
  say(text: string): void;
  /** The data plot's side of drawing (see `DrawingHost`). */
  plot: {
    window(): DrawingWindow;
    shownData(): Float32Array | null;
    show(points: Float32Array, window: DrawingWindow, brush: { x: number; y: number; radius: number }): void;
    /** Drawing starts: training pauses. */
    started(): void;
    /** Drawing ended: the plot shows the model again. */
    ended(): void;
  };
}

/** The data a lab trains on when it is the user's own (see the top of this file). */
export class OwnData {
  /** The user's data, which replaces the named dataset until another one is chosen; null for the named one. */
  private dataset: CustomDataset | null = null;
  /** The drawing the lab trains on, as the notebook carries it; null when the data was not drawn. */
  private drawn: EncodedDrawing | null = null;
  readonly panel: DrawingPanel;

  constructor(
    part: <T extends HTMLElement = HTMLElement>(role: string) => T,
    root: HTMLElement,
    private readonly host: OwnDataHost,
    /** A drawing from the notebook, already validated (`fromJson`). */
    drawing?: EncodedDrawing,
  ) {
    if (drawing !== undefined) this.setDrawing(drawing);
    this.panel = new DrawingPanel(part, part<HTMLCanvasElement>("scatter"), {
      ...host.plot,
      current: () => this.drawn,
      use: (encoded) => this.useDrawing(encoded),
    });
    part("use-points").addEventListener("click", () => void this.useCsv(part<HTMLTextAreaElement>("points-csv").value, "your points"));
    part<HTMLInputElement>("points-file").addEventListener("change", (event) => {
      const input = event.target as HTMLInputElement;
      const file = input.files?.[0];
      input.value = "";
      if (file !== undefined) void this.useFile(file);
    });
    root.addEventListener("dragover", (event) => {
      if (!this.host.images() && event.dataTransfer?.types.includes("Files")) event.preventDefault();
    });
    root.addEventListener("drop", (event) => {
      const file = event.dataTransfer?.files[0];
      if (file === undefined) return;
      event.preventDefault();
      void this.useFile(file);
    });
  }

  /** The custom dataset the lab trains on, or null for its named dataset. */
  get custom(): CustomDataset | null {
    return this.dataset;
  }

  /** The drawing the lab trains on (for the notebook), or undefined. */
  get drawing(): EncodedDrawing | undefined {
    return this.drawn ?? undefined;
  }

  private setDrawing(drawing: EncodedDrawing): void {
    this.drawn = drawing;
    this.dataset = { kind: "points", csv: drawingCsv(decodeDrawing(drawing).points) };
  }

  /** Back to the named dataset (another one was chosen, weights were loaded). */
  forget(): void {
    const hadDrawing = this.drawn !== null;
    this.dataset = null;
    this.drawn = null;
    if (this.panel.active) this.panel.close();
    if (hadDrawing) this.host.changed();
  }

  /** Trains on `dataset` (drawn as `drawing`); the previous data comes back if it is rejected. */
  private async use(dataset: CustomDataset, drawing: EncodedDrawing | null): Promise<boolean> {
    if (this.host.images()) {
      this.host.say("Your own points are 2-D: choose a 2-D dataset first.");
      return false;
    }
    const previous = { dataset: this.dataset, drawn: this.drawn };
    this.dataset = dataset;
    this.drawn = drawing;
    if (await this.host.reset()) {
      if (drawing !== null || previous.drawn !== null) this.host.changed();
      return true;
    }
    this.dataset = previous.dataset;
    this.drawn = previous.drawn;
    return false;
  }

  /** Trains on the drawing: the points quantised as the notebook keeps them, so a link trains on the same. */
  private async useDrawing(drawing: EncodedDrawing): Promise<boolean> {
    const points = decodeDrawing(drawing).points;
    const ok = await this.use({ kind: "points", csv: drawingCsv(points) }, drawing);
    if (ok) this.host.say(`Training on your ${points.length / 2} drawn points (kept in the notebook and its link).`);
    return ok;
  }

  /** Trains on CSV text from `source` (pasted, or a file's name). */
  private async useCsv(csv: string, source: string): Promise<void> {
    if (await this.use({ kind: "points", csv }, null)) {
      this.host.say(`Training on ${source} (CSV data is not saved in the link: draw points to share them).`);
    }
  }

  /** Trains on a CSV file (chosen or dropped), refusing one over the size limit. */
  private async useFile(file: File): Promise<void> {
    if (this.host.images()) return this.host.say("Your own points are 2-D: choose a 2-D dataset first.");
    if (file.size > MAX_CSV_FILE_BYTES) {
      return this.host.say(`${file.name} was not read: it is ${file.size} bytes, and a CSV file holds at most ${MAX_CSV_FILE_BYTES} bytes (4 MB).`);
    }
    let text: string;
    try {
      text = await file.text();
    } catch {
      return this.host.say(`${file.name} could not be read.`);
    }
    await this.useCsv(text, `the points of ${file.name}`);
  }
}
