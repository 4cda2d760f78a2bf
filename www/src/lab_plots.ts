// What a lab cell shows of its model: the readouts (step, loss, steps/s, frames/s, sliced W2 and
// its floor, the GAN's value; on images held-out bits/dim and MMD² with its floor), the scatter
// of data and samples and the density pair (2-D points) or the grids of sample and held-out
// images and the memorisation check (images), the divergence history and the training
// statistics, and the timeline that replays earlier evaluations (`replay.ts`). The cell feeds it
// reports and evaluations.

import { DivergenceHistory } from "./divergence_history";
import { download } from "./exports";
import type { FamilyEntry, Objective } from "./families";
import type { Bounds, Estimate, Evaluation, ImageShape, TrainReport } from "./genlab";
import { DensityPair } from "./plots/density_pair";
import { MemorisationHistogram } from "./plots/histogram";
import { ImageGridPlot } from "./plots/image_grid";
import { LossCurve } from "./plots/loss_curve";
import { ScatterPlot } from "./plots/scatter";
import { Replay } from "./replay";
import type { TimelineFrame } from "./timeline";
import type { ViewContext } from "./views";

/** The readouts a new model resets. */
const READOUTS = ["loss", "w2", "floor", "rate", "fps", "objective", "bits-per-dim", "mmd", "mmd-floor"];

/** The canvases of the plots shown for each kind of data, in the order a PNG joins them. */
export const PLOT_CANVASES = {
  points: ["scatter", "view", "density-model", "density-data"],
  images: ["image-samples", "image-data", "view", "memorisation"],
} as const;

function format(value: number | null | undefined, digits: number): string {
  return value === null || value === undefined || !Number.isFinite(value) ? "–" : value.toFixed(digits);
}

/** A lab cell's plots and readouts, found by `data-role` through `part`. */
export class LabPlots {
  private readonly scatter: ScatterPlot;
  private readonly density: DensityPair;
  private readonly imageSamples: ImageGridPlot;
  private readonly imageData: ImageGridPlot;
  private readonly memorisation: MemorisationHistogram;
  private readonly losses: LossCurve;
  readonly history: DivergenceHistory;
  readonly replay: Replay;
  /** The family's objective readout (see `Objective`) and its statistic's latest value. */
  private objective: { spec: Objective; value: number } | null = null;
  /** The bounds and data of the latest evaluation, for the family's views. */
  context: ViewContext | null = null;
  /** The latest evaluation (shown again when drawing or a replay ends). */
  private latest: Evaluation | null = null;
  /** Whether the scatter shows a drawing being edited (evaluations then leave it alone). */
  private drawing = false;

  constructor(
    private readonly part: <T extends HTMLElement = HTMLElement>(role: string) => T,
    bounds: ViewContext["bounds"],
    /** The name of a saved animation, and where the replay's messages go. */
    files: { animationName(): string; say(text: string): void },
  ) {
    this.scatter = new ScatterPlot(part("scatter"), bounds);
    this.density = new DensityPair(part<HTMLCanvasElement>("density-model"), part<HTMLCanvasElement>("density-data"), part("density-caption"));
    this.imageSamples = new ImageGridPlot(part<HTMLCanvasElement>("image-samples"));
    this.imageData = new ImageGridPlot(part<HTMLCanvasElement>("image-data"));
    this.memorisation = new MemorisationHistogram(part<HTMLCanvasElement>("memorisation"), part("memorisation-caption"));
    this.losses = new LossCurve(part("loss-curve"));
    this.history = new DivergenceHistory(
      part("curve"),
      part<HTMLSelectElement>("curve-divergence"),
      part<HTMLInputElement>("curve-log"),
      part<HTMLTableSectionElement>("divergences"),
    );
    this.replay = new Replay(part, {
      show: (frame) => this.showFrame(frame),
      canvases: () => [part<HTMLCanvasElement>(this.latest?.images ? "image-samples" : "scatter")],
      fileName: () => files.animationName(),
      save: download,
      say: (text) => files.say(text),
    });
  }

  /** Forgets everything shown (a new model). */
  clear(): void {
    this.history.clear();
    this.replay.clear();
    this.losses.clear();
    for (const id of READOUTS) this.part(id).textContent = "–";
    this.part("step").textContent = "0";
    this.context = null;
    this.latest = null;
    this.imageSamples.clear();
    this.imageData.clear();
    this.memorisation.show(null);
    this.objective = null;
    this.part("objective-readout").hidden = true;
  }

  /** A slice (or a fine step) trained: its statistics, and the rates when training runs. */
  train(report: TrainReport, entry: FamilyEntry, rate = 0, fps = 0): void {
    this.part("step").textContent = String(report.step);
    this.part("loss").textContent = report.stats[entry.stat]?.toFixed(4) ?? "–";
    this.part("rate").textContent = rate > 0 ? rate.toFixed(0) : "–";
    this.part("fps").textContent = fps > 0 ? fps.toFixed(0) : "–";
    const spec = entry.objective;
    const value = spec === undefined ? undefined : report.stats[spec.stat];
    if (spec !== undefined && value !== undefined) this.objective = { spec, value };
    this.losses.push(report.step, report.stats);
  }

  /** An evaluation: samples, densities or the memorisation check, divergences. */
  evaluation(evaluation: Evaluation): void {
    this.context = { bounds: evaluation.bounds, data: evaluation.data, samples: evaluation.samples, images: evaluation.images };
    this.history.add(evaluation.step, evaluation.divergences);
    this.latest = evaluation;
    const columns = evaluation.images === null ? 2 : evaluation.images.side ** 2;
    this.replay.record(evaluation.step, evaluation.samples, columns, evaluation.divergences);
    if (evaluation.images !== null) {
      this.showImages(evaluation, evaluation.images);
      return;
    }
    this.showObjective(evaluation.divergences);
    this.density.show(evaluation.densities);
    if (!this.drawing) this.showLatest();
    const w2 = evaluation.divergences.find((e) => e.id === "sliced_w2");
    if (w2 === undefined) return;
    this.part("w2").textContent = w2.value.toFixed(3);
    this.part("floor").textContent = format(w2.noise_floor?.upper, 3);
  }

  /** Shows a drawing being edited on the scatter, in its window, with its brush, until `showLatest`. */
  showDrawing(points: Float32Array, window: Bounds, brush: { x: number; y: number; radius: number }): void {
    this.drawing = true;
    this.scatter.setBounds(window);
    this.scatter.drawDrawing(points, brush);
  }

  /** Shows the latest evaluation's data and samples on the scatter (drawing ended). */
  showLatest(): void {
    this.drawing = false;
    this.showFrame(null);
  }

  /**
   * Shows a timeline frame: its samples (over the latest data, in the latest window) and its
   * panel; null shows the latest evaluation.
   */
  private showFrame(frame: TimelineFrame | null): void {
    const latest = this.latest;
    if (latest === null) return;
    this.history.showTable(frame?.divergences ?? latest.divergences);
    const samples = frame?.samples ?? latest.samples;
    if (latest.images !== null) return this.imageSamples.draw(samples, latest.images.side);
    this.scatter.setBounds(latest.bounds);
    this.scatter.draw(latest.data, samples);
  }

  /** An image lab's evaluation: sample and held-out grids, the memorisation check, bits/dim and MMD². */
  private showImages(evaluation: Evaluation, shape: ImageShape): void {
    this.imageSamples.draw(evaluation.samples, shape.side);
    this.imageData.draw(evaluation.data, shape.side);
    this.memorisation.show(evaluation.memorisation);
    const bits = evaluation.divergences.find((e) => e.units === "bits/dim");
    const mmd = evaluation.divergences.find((e) => e.id === "mmd2_held_out");
    this.part("bits-readout").hidden = bits === undefined;
    this.part("bits-per-dim").textContent = format(bits?.value, 3);
    this.part("mmd").textContent = format(mmd?.value, 4);
    this.part("mmd-floor").textContent = format(mmd?.noise_floor?.upper, 4);
  }

  /**
   * Where the family declares an objective readout and training reported its statistic (the
   * GAN's V(D, G), reported only for losses where the lemma V(D*, G) = 2·JS − log 4 holds), the
   * statistic beside the value the panel's estimate gives it; hidden otherwise.
   */
  private showObjective(divergences: Estimate[]): void {
    const objective = this.objective;
    const estimate = objective === null ? undefined : divergences.find((e) => e.id === objective.spec.estimate);
    this.part("objective-readout").hidden = objective === null || estimate === undefined;
    if (objective === null || estimate === undefined) return;
    const label = this.part("objective-label");
    label.textContent = objective.spec.label;
    label.title = objective.spec.help;
    const expected = objective.spec.expected(estimate.value);
    this.part("objective").textContent = `${objective.value.toFixed(3)} vs ${expected.toFixed(3)}`;
  }
}
