// Every evaluation's divergences since a lab's last reset: the table of the latest, the curve of
// the chosen one (linear or log scale, with its noise floor) and the CSV of all of them. A new
// panel (another kind of data) keeps the chosen estimate if it has it, else plots its default.
// Estimates are chosen and matched by their stable `id`; their names are what people read.

import type { Estimate } from "./genlab";
import { CurvePlot, type CurvePoint } from "./plots/curve";
import { DivergenceTable } from "./plots/divergence_table";
import { divergencesCsv } from "./exports";

/** The estimate plotted until the user picks another, on 2-D data (its id). */
const DEFAULT_CURVE = "sliced_w2";

/**
 * The estimate to plot when the chosen one is not in `divergences`: the sliced W2 on 2-D data; on
 * images, the held-out bits/dim where the family has a likelihood, else the first estimate.
 */
export function defaultCurve(divergences: readonly Estimate[]): string {
  const preferred =
    divergences.find((e) => e.id === DEFAULT_CURVE) ?? divergences.find((e) => e.units === "bits/dim") ?? divergences[0];
  return preferred?.id ?? DEFAULT_CURVE;
}

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
    const ids = divergences.map((e) => e.id);
    if (ids.join("\n") !== Array.from(this.choice.options, (o) => o.value).join("\n")) {
      const kept = ids.includes(this.choice.value);
      const chosen = kept ? this.choice.value : defaultCurve(divergences);
      this.choice.replaceChildren(...divergences.map((e) => new Option(e.name, e.id)));
      this.choice.value = chosen;
      // A likelihood in bits/dim has no floor at 0 (and a continuous one may go negative): linear.
      if (!kept) this.log.checked = divergences.find((e) => e.id === chosen)?.units !== "bits/dim";
      this.redraw();
    } else {
      const point = this.point(divergences, step);
      if (point !== null) this.curve.push(point);
    }
  }

  /** Shows `divergences` in the table (an earlier evaluation replayed, or the latest again). */
  showTable(divergences: Estimate[]): void {
    this.table.show(divergences);
  }

  /** Every evaluation as CSV (see `divergencesCsv`). */
  csv(): string {
    return divergencesCsv(this.entries);
  }

  private point(divergences: Estimate[], step: number): CurvePoint | null {
    const estimate = divergences.find((e) => e.id === this.choice.value);
    return estimate === undefined ? null : { step, value: estimate.value, floor: estimate.noise_floor?.upper ?? null };
  }

  private redraw(): void {
    const points = this.entries
      .map((entry) => this.point(entry.divergences, entry.step))
      .filter((p): p is CurvePoint => p !== null);
    const name = this.choice.selectedOptions[0]?.textContent ?? this.choice.value;
    this.curve.show(name, points, this.log.checked);
  }
}
