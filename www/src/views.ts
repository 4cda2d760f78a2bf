// The family's own views in one panel: a chooser, a parameter slider and a canvas. A view is
// computed by the lab (one readback) at points chosen as its `input` asks, and drawn by kind; on
// an image lab, images as tiles and a stages view as a strip of images by stage. Where the lab
// returns the exact quantity a view estimates (its truth), a field draws it beside the model's
// arrows and a heatmap offers it in place of the model's (the "exact" box). Heatmaps and fields
// can draw the data and the model's samples over them (the "data & samples" box), as GAN Lab
// does on its discriminator.

import type { Lab } from "./engine";
import type { Bounds, ImageShape, ViewData, ViewInfo } from "./genlab";
import { drawField, typicalLength } from "./plots/field";
import { Frame, boundsOf } from "./plots/frame";
import { drawHeatmap } from "./plots/heatmap";
import { drawTileGrid, tileGrid } from "./plots/image_grid";
import { drawImageStrip } from "./plots/image_strip";
import { drawLine } from "./plots/line";
import { DATA_COLOUR, MODEL_COLOUR } from "./plots/scatter";

/** Cells per axis of heatmap views, and arrows per axis of field views. */
const HEATMAP_RESOLUTION = 48;
const FIELD_RESOLUTION = 20;
/** Points along the line of line views. */
const LINE_POINTS = 200;
const ARROW_COLOUR = "rgba(29, 35, 48, 0.8)";
const TRUTH_COLOUR = "rgba(27, 127, 95, 0.8)";
const POINT_COLOUR = "rgba(27, 127, 95, 0.6)";

/** The centres of a `resolution²` grid over `bounds`, row-major, row 0 at the lowest y. */
export function gridCentres(bounds: Bounds, resolution: number): Float32Array {
  const points = new Float32Array(2 * resolution * resolution);
  const dx = (bounds.x_max - bounds.x_min) / resolution;
  const dy = (bounds.y_max - bounds.y_min) / resolution;
  for (let k = 0; k < resolution * resolution; k++) {
    points[2 * k] = bounds.x_min + ((k % resolution) + 0.5) * dx;
    points[2 * k + 1] = bounds.y_min + (Math.floor(k / resolution) + 0.5) * dy;
  }
  return points;
}

/** What the page knows when it refreshes a view. */
export interface ViewContext {
  bounds: Bounds;
  /** The latest data samples, row-major `[n, 2]`, or held-out images `[n, side²]`. */
  data: Float32Array;
  /** The latest model samples, row-major `[n, 2]` (on image labs, images). */
  samples: Float32Array;
  /** The images' shape on an image lab; null on 2-D data. */
  images: ImageShape | null;
}

/** The panel of a lab's own views. */
export class ViewPanel {
  private views: ViewInfo[] = [];
  private readonly frame: Frame;
  private last: { info: ViewInfo; data: ViewData; points: Float32Array; context: ViewContext } | null = null;

  private readonly choice: HTMLSelectElement;
  private readonly slider: HTMLInputElement;
  private readonly sliderLabel: HTMLElement;
  private readonly caption: HTMLElement;
  /** Whether a heatmap with a truth draws the truth, and the box's label (shown only then). */
  private readonly truth: { box: HTMLInputElement; toggle: HTMLElement };
  /** Whether a heatmap or field draws the data and the model's samples over it, and the box's label. */
  private readonly overlay: { box: HTMLInputElement; toggle: HTMLElement };
  /** Buttons that move a stages view one stage back and forward (e.g. one denoising step). */
  private readonly stepper: { back: HTMLButtonElement; next: HTMLButtonElement };

  constructor(
    /** The element of the lab cell with a given `data-role`. */
    part: <T extends HTMLElement = HTMLElement>(role: string) => T,
    /** Called when the user picks another view or moves the slider. */
    private readonly onChange: () => void,
  ) {
    this.choice = part<HTMLSelectElement>("view-choice");
    this.slider = part<HTMLInputElement>("view-parameter");
    this.sliderLabel = part("view-parameter-value");
    this.caption = part("view-description");
    this.truth = { box: part<HTMLInputElement>("view-truth"), toggle: part("view-truth-toggle") };
    this.truth.box.addEventListener("change", () => this.draw());
    this.overlay = { box: part<HTMLInputElement>("view-overlay"), toggle: part("view-overlay-toggle") };
    this.overlay.box.addEventListener("change", () => this.draw());
    this.stepper = { back: part<HTMLButtonElement>("view-back"), next: part<HTMLButtonElement>("view-next") };
    this.frame = new Frame(part<HTMLCanvasElement>("view"), { x_min: -1, x_max: 1, y_min: -1, y_max: 1 });
    this.choice.addEventListener("change", () => {
      this.configureSlider();
      this.onChange();
    });
    this.slider.addEventListener("input", () => this.moved());
    this.stepper.back.addEventListener("click", () => this.stepBy(-1));
    this.stepper.next.addEventListener("click", () => this.stepBy(1));
  }

  private moved(): void {
    this.showSliderValue();
    if (this.current()?.kind === "stages" && this.last !== null && this.last.info === this.current()) this.draw();
    else this.onChange();
  }

  /** Moves a stages view `delta` stages along its trajectory. */
  private stepBy(delta: number): void {
    const parameter = this.current()?.parameter;
    if (parameter === undefined || parameter === null) return;
    const value = Math.min(parameter.max, Math.max(parameter.min, Math.round(Number(this.slider.value)) + delta));
    this.slider.value = String(value);
    this.moved();
  }

  /**
   * Offers `views` (a new lab); `stepLabel` names one stage of its stages views (e.g. "one
   * denoising step").
   */
  setViews(views: ViewInfo[], stepLabel: string): void {
    this.views = views;
    this.stepper.next.textContent = `${stepLabel} ▸`;
    this.stepper.next.title = `Advance the trajectory by ${stepLabel}`;
    this.stepper.back.title = `Back by ${stepLabel}`;
    this.last = null;
    this.choice.replaceChildren(...views.map((v) => new Option(v.title, v.name)));
    this.configureSlider();
  }

  private current(): ViewInfo | undefined {
    return this.views.find((v) => v.name === this.choice.value);
  }

  private configureSlider(): void {
    const parameter = this.current()?.parameter ?? null;
    const stages = this.current()?.kind === "stages";
    this.stepper.back.hidden = !stages;
    this.stepper.next.hidden = !stages;
    this.slider.hidden = parameter === null;
    this.sliderLabel.hidden = parameter === null;
    if (parameter !== null) {
      this.slider.min = String(parameter.min);
      this.slider.max = String(parameter.max);
      this.slider.step = this.current()?.kind === "stages" ? "1" : String((parameter.max - parameter.min) / 100);
      this.slider.value = String(parameter.default);
    }
    this.caption.textContent = this.current()?.description ?? "";
    this.showSliderValue();
  }

  private showSliderValue(): void {
    const parameter = this.current()?.parameter;
    if (parameter) {
      this.sliderLabel.textContent = `${parameter.name} = ${Number(this.slider.value).toFixed(2)}`;
      this.slider.setAttribute("aria-label", `The view's ${parameter.name}`);
    }
  }

  /** Computes the chosen view with `lab` (one readback) and draws it. */
  async refresh(lab: Lab, context: ViewContext): Promise<void> {
    const info = this.current();
    if (info === undefined) return;
    const parameter = Number(this.slider.value);
    const points = this.inputPoints(info, context, parameter);
    const data = await lab.view(info.name, points, parameter);
    this.last = { info, data, points, context };
    this.draw();
  }

  private inputPoints(info: ViewInfo, context: ViewContext, parameter: number): Float32Array {
    switch (info.input) {
      case "grid":
        return gridCentres(context.bounds, info.kind === "field" ? FIELD_RESOLUTION : HEATMAP_RESOLUTION);
      case "data":
        return context.data;
      case "line": {
        const { y_min, y_max } = context.bounds;
        const points = new Float32Array(2 * LINE_POINTS);
        for (let k = 0; k < LINE_POINTS; k++) {
          points[2 * k] = parameter;
          points[2 * k + 1] = y_min + ((k + 0.5) * (y_max - y_min)) / LINE_POINTS;
        }
        return points;
      }
      case "state":
        return new Float32Array(0);
    }
  }

  private draw(): void {
    if (this.last === null) return;
    const { info, data, points, context } = this.last;
    const frame = this.frame;
    this.frame.canvas.dataset.view = info.name;
    this.caption.textContent = info.description;
    const heatmap = info.kind === "heatmap" || info.kind === "probability";
    this.truth.toggle.hidden = !heatmap || data.truth === null;
    const overlaid = (heatmap || info.kind === "field") && context.images === null;
    this.overlay.toggle.hidden = !overlaid;
    this.frame.canvas.dataset.overlay = overlaid && this.overlay.box.checked ? "on" : "off";
    this.drawKind(info, data, points, context);
    if (overlaid && this.overlay.box.checked) {
      frame.points(context.data, DATA_COLOUR);
      frame.points(context.samples, MODEL_COLOUR);
    }
  }

  /** Draws the view by its kind (see `draw`). */
  private drawKind(info: ViewInfo, data: ViewData, points: Float32Array, context: ViewContext): void {
    const frame = this.frame;
    switch (info.kind) {
      case "heatmap":
      case "probability": {
        frame.bounds = context.bounds;
        frame.clear();
        const exact = this.truth.box.checked && data.truth !== null;
        this.frame.canvas.dataset.shows = exact ? "truth" : "model";
        const range: [number, number] | null = info.kind === "probability" ? [0, 1] : null;
        const values = exact && data.truth !== null ? data.truth : data.values;
        const [low, high] = drawHeatmap(frame, values, Math.round(Math.sqrt(data.rows)), range);
        const shown = exact ? "showing the exact one; " : "";
        this.caption.textContent = `${info.description} (${shown}colour range ${low.toPrecision(3)} to ${high.toPrecision(3)})`;
        return;
      }
      case "field": {
        frame.bounds = context.bounds;
        frame.clear();
        frame.points(context.data, "rgba(47, 111, 223, 0.25)");
        const cell = (context.bounds.x_max - context.bounds.x_min) / FIELD_RESOLUTION;
        const typical = typicalLength(data.truth ?? data.values);
        if (data.truth !== null) drawField(frame, points, data.truth, cell, TRUTH_COLOUR, typical);
        drawField(frame, points, data.values, cell, ARROW_COLOUR, typical);
        return;
      }
      case "points":
        frame.bounds = boundsOf(data.values, data.columns);
        frame.clear();
        frame.points(data.values, POINT_COLOUR, data.columns);
        return;
      case "curve": {
        const positions = Array.from({ length: data.rows }, (_, k) => points[2 * k + 1]);
        drawLine(frame, positions, data.values, POINT_COLOUR);
        return;
      }
      case "images": {
        if (context.images === null) return;
        const pixels = context.images.side * context.images.side;
        drawTileGrid(frame.context, tileGrid(data.values, context.images.side, Math.max(1, data.columns / pixels)));
        return;
      }
      case "stages": {
        const stages = (info.parameter?.max ?? 0) + 1;
        const perStage = data.rows / stages;
        const stage = Math.min(stages - 1, Math.max(0, Math.round(Number(this.slider.value))));
        if (context.images !== null) {
          const { shown, rows } = drawImageStrip(frame.context, data.values, context.images.side, stages, stage);
          this.caption.textContent =
            `${info.description} (rows: ${rows} images; columns: stages ${shown.join(", ")} of 0 to ${stages - 1}; ` +
            `outlined: the one nearest stage ${stage})`;
          return;
        }
        const shown = data.values.subarray(2 * perStage * stage, 2 * perStage * (stage + 1));
        frame.bounds = stage === stages - 1 ? context.bounds : boundsOf(shown, 2);
        frame.clear();
        frame.points(shown, POINT_COLOUR);
        return;
      }
    }
  }
}
