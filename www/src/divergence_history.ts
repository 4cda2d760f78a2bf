// Every evaluation's divergences since a lab's last reset: the table of the latest, the curve of
// the chosen one (linear or log scale, with its noise floor) and the CSV of all of them.

import type { Estimate } from "./genlab";
import { CurvePlot, type CurvePoint } from "./plots/curve";
import { DivergenceTable } from "./plots/divergence_table";
import { divergencesCsv } from "./exports";

/** The estimate plotted until the user picks another. */
const DEFAULT_CURVE = "sliced W2(data, model)";

/** A lab's divergence history and its two views. */
export class DivergenceHistory {
  private entries: { step: number; divergences: Estimate[] }[] = [];
  private readonly curve: CurvePlot;
  private readonly table: DivergenceTable;

  constructor(
    curve: HTMLElement,
    private readonly choice: HTMLSelectElement,
    private readonly log: HTMLInputElement,
    table: HTMLTableSectionElement,
  ) {
    this.curve = new CurvePlot(curve);
    this.table = new DivergenceTable(table);
    choice.addEventListener("change", () => this.redraw());
    log.addEventListener("change", () => this.redraw());
  }

  /** Forgets everything (a new model). */
  clear(): void {
    this.entries = [];
    this.curve.clear();
    this.table.clear();
  }

  /** Adds one evaluation's panel at `step`. */
  add(step: number, divergences: Estimate[]): void {
    this.table.show(divergences);
    this.entries.push({ step, divergences });
    if (this.choice.options.length !== divergences.length) {
      const chosen = this.choice.value || DEFAULT_CURVE;
      this.choice.replaceChildren(...divergences.map((e) => new Option(e.name, e.name)));
      this.choice.value = chosen;
      this.redraw();
    } else {
      const point = this.point(divergences, step);
      if (point !== null) this.curve.push(point);
    }
  }

  /** Every evaluation as CSV (see `divergencesCsv`). */
  csv(): string {
    return divergencesCsv(this.entries);
  }

  private point(divergences: Estimate[], step: number): CurvePoint | null {
    const estimate = divergences.find((e) => e.name === this.choice.value);
    return estimate === undefined ? null : { step, value: estimate.value, floor: estimate.noise_floor };
  }

  private redraw(): void {
    const points = this.entries
      .map((entry) => this.point(entry.divergences, entry.step))
      .filter((p): p is CurvePoint => p !== null);
    this.curve.show(this.choice.value, points, this.log.checked);
  }
}
