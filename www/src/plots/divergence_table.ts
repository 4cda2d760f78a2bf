// The divergence panel as a table: value, noise floor and units per estimator, with the
// estimator's description on hover. Built with DOM calls only (text, never HTML).

import type { Estimate } from "../genlab";

function format(value: number | null): string {
  if (value === null) return "–";
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
      row.title = `${estimate.direction}; ${estimate.estimator}; ${estimate.model_samples} model and ${estimate.data_samples} data samples`;
      const belowFloor = estimate.noise_floor !== null && estimate.value <= estimate.noise_floor;
      for (const [text, className] of [
        [estimate.name, "name"],
        [format(estimate.value), belowFloor ? "value at-floor" : "value"],
        [format(estimate.noise_floor), "floor"],
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
