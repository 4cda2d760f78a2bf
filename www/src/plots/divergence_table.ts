// The divergence panel as a table: value, noise floor (its 95 % upper bound; mean and draws on
// hover) and units per estimator, with the estimator's description on hover. A value at or
// below the bound is marked: indistinguishable from the data. Built with DOM calls only.

import type { Estimate } from "../genlab";

function format(value: number | null | undefined): string {
  if (value === null || value === undefined) return "–";
  const magnitude = Math.abs(value);
  return magnitude !== 0 && (magnitude < 1e-3 || magnitude >= 1e4) ? value.toExponential(2) : value.toFixed(4);
}

/** A table of labelled estimates, rewritten on each evaluation. */
export class DivergenceTable {
  constructor(private readonly body: HTMLTableSectionElement) {}

  /** Shows `estimates` in order, one row each. */
  show(estimates: Estimate[]): void {
    const rows = estimates.map((estimate) => {
      const row = document.createElement("tr");
      row.dataset.id = estimate.id;
      const floor = estimate.noise_floor;
      const floorText =
        floor === null
          ? ""
          : `; noise floor over ${floor.draws} data-vs-data draws: mean ${format(floor.mean)}, 95 % bound ${format(floor.upper)}`;
      row.title = `${estimate.direction}; ${estimate.estimator}; ${estimate.model_samples} model and ${estimate.data_samples} data samples${floorText}`;
      const belowFloor = floor !== null && estimate.value <= floor.upper;
      for (const [text, className] of [
        [estimate.name, "name"],
        [format(estimate.value), belowFloor ? "value at-floor" : "value"],
        [format(floor?.upper), "floor"],
        [estimate.units, "units"],
      ]) {
        const cell = document.createElement("td");
        cell.textContent = text;
        cell.className = className;
        row.append(cell);
      }
      return row;
    });
    this.body.replaceChildren(...rows);
  }

  /** Empties the table. */
  clear(): void {
    this.body.replaceChildren();
  }
}
