// The model's density beside the data's: two heatmaps on one shared colour scale, so equal
// colours mean equal densities, each captioned with how it was computed.

import type { Bounds, DensityMaps } from "../genlab";
import { Frame } from "./frame";
import { drawHeatmap } from "./heatmap";

/** Two heatmaps, model and data. */
export class DensityPair {
  private readonly model: Frame;
  private readonly data: Frame;

  constructor(
    modelCanvas: HTMLCanvasElement,
    dataCanvas: HTMLCanvasElement,
    private readonly caption: HTMLElement,
  ) {
    const unit: Bounds = { x_min: 0, x_max: 1, y_min: 0, y_max: 1 };
    this.model = new Frame(modelCanvas, unit);
    this.data = new Frame(dataCanvas, unit);
  }

  /** Draws `maps` (or clears both when there are none, saying why). */
  show(maps: DensityMaps | null): void {
    if (maps === null) {
      this.model.clear();
      this.data.clear();
      this.caption.textContent = "The model's samples admit no density estimate (they are all equal).";
      return;
    }
    const high = Math.max(...maps.data, ...maps.model.filter(Number.isFinite), 1e-12);
    drawHeatmap(this.model, maps.model, maps.resolution, [0, high]);
    drawHeatmap(this.data, maps.data, maps.resolution, [0, high]);
    this.caption.textContent =
      `Left, model: ${maps.model_method}. Right, data: ${maps.data_method}. ` +
      `One colour scale, 0 to ${high.toPrecision(3)} per unit area.`;
  }
}
