// What a lab cell saves and loads, wired to its buttons: the plots shown as one PNG, every
// evaluation's divergences as CSV, the trained weights (read from the device asynchronously), and
// weights from a file (checked, the lab rebuilt with the file's settings, then loaded; a bad file
// changes nothing). Every message is plain text.

import { errorText, type Lab } from "./engine";
import { download, joinedPng, weightsSettings } from "./exports";
import type { GenLab } from "./genlab";
import type { LabState } from "./state";

/** Largest weights file accepted (the same limit Rust enforces). */
const MAX_WEIGHTS_BYTES = 128 << 20;

/** What the file buttons need of their lab cell. */
export interface LabFilesHost {
  /** The lab's settings. */
  settings(): LabState;
  /** The step shown. */
  shownStep(): string;
  /** The canvases of the plots shown now, in order. */
  shownCanvases(): HTMLCanvasElement[];
  /** Every evaluation's divergences as CSV. */
  divergencesCsv(): string;
  /** The lab, built first if needed; null when it could not be built (the reason is said). */
  builtLab(): Promise<Lab | null>;
  /** A fresh lab with `settings` (on named data); null, with the old settings back, if rejected. */
  rebuildWith(settings: LabState): Promise<Lab | null>;
  /** Weights of `step` were loaded: show the step, evaluate, redraw the view, mirror the notebook. */
  loaded(step: number): Promise<void>;
  say(text: string): void;
}

/** The save and load buttons of one lab cell. */
export class LabFiles {
  constructor(
    part: <T extends HTMLElement = HTMLElement>(role: string) => T,
    /** The page's module (it checks weights files). */
    private readonly genlab: () => GenLab,
    private readonly host: LabFilesHost,
  ) {
    part("export-png").addEventListener("click", () => void this.exportPng());
    part("export-csv").addEventListener("click", () => this.exportCsv());
    part("export-weights").addEventListener("click", () => void this.exportWeights());
    part<HTMLInputElement>("import-weights").addEventListener("change", (event) => void this.importWeights(event));
  }

  private fileName(what: string, extension: string): string {
    return `genlab-${this.host.settings().family}-${what}.${extension}`;
  }

  /** Downloads the plots shown side by side as one PNG. */
  private async exportPng(): Promise<void> {
    const blob = await joinedPng(this.host.shownCanvases());
    if (blob !== null) download(blob, this.fileName(`step-${this.host.shownStep()}`, "png"));
  }

  /** Downloads every evaluation's divergences (value and noise floor) as CSV. */
  private exportCsv(): void {
    download(new Blob([this.host.divergencesCsv()], { type: "text/csv" }), this.fileName("divergences", "csv"));
  }

  /** Downloads the trained weights (read from the device asynchronously). */
  private async exportWeights(): Promise<void> {
    const lab = await this.host.builtLab();
    if (lab === null) return;
    try {
      const bytes = await lab.exportWeights();
      download(new Blob([bytes as BlobPart], { type: "application/octet-stream" }), this.fileName(`step-${this.host.shownStep()}`, "genlab"));
    } catch (error) {
      this.host.say(errorText(error));
    }
  }

  /**
   * Loads a weights file: checks it, rebuilds the lab with the options saved in it (so the
   * networks' shapes match), then loads the weights. A bad file changes nothing.
   */
  private async importWeights(event: Event): Promise<void> {
    const input = event.target as HTMLInputElement;
    const file = input.files?.[0];
    input.value = "";
    if (file === undefined) return;
    if (file.size > MAX_WEIGHTS_BYTES) return this.host.say(`${file.name} is larger than ${MAX_WEIGHTS_BYTES} bytes.`);
    const bytes = new Uint8Array(await file.arrayBuffer());
    let settings: LabState;
    try {
      settings = weightsSettings(this.genlab(), bytes, this.host.settings());
    } catch (error) {
      return this.host.say(`${file.name} was not loaded: ${errorText(error)}`);
    }
    const lab = await this.host.rebuildWith(settings);
    if (lab === null) return;
    try {
      const step = await lab.importWeights(bytes);
      await this.host.loaded(step);
      this.host.say(`Loaded ${file.name}: weights of step ${step} (the optimizer's moments start afresh).`);
    } catch (error) {
      this.host.say(`${file.name} was not loaded: ${errorText(error)}`);
    }
  }
}
