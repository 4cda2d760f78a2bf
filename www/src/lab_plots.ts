// What a lab cell shows of its model: the readouts (step, loss, steps/s, frames/s, sliced W2 and
// its floor, the GAN's value; on images held-out bits/dim and MMD² with its floor), the scatter
// of data and samples and the density pair (2-D points) or the grids of sample and held-out
// images and the memorisation check (images), the divergence history and the training
// statistics. The cell feeds it reports and evaluations.

import { DivergenceHistory } from "./divergence_history";
import type { FamilyEntry, Objective } from "./families";
import type { Estimate, Evaluation, ImageShape, TrainReport } from "./genlab";
import { DensityPair } from "./plots/density_pair";
import { MemorisationHistogram } from "./plots/histogram";
import { ImageGridPlot } from "./plots/image_grid";
import { LossCurve } from "./plots/loss_curve";
import { ScatterPlot } from "./plots/scatter";
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
  /** The family's objective readout (see `Objective`) and its statistic's latest value. */
  private objective: { spec: Objective; value: number } | null = null;
  /** The bounds and data of the latest evaluation, for the family's views. */
  context: ViewContext | null = null;

  constructor(
    private readonly part: <T extends HTMLElement = HTMLElement>(role: string) => T,
    bounds: ViewContext["bounds"],
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
  }

  /** Forgets everything shown (a new model). */
  clear(): void {
    this.history.clear();
    this.losses.clear();
    for (const id of READOUTS) this.part(id).textContent = "–";
    this.part("step").textContent = "0";
    this.context = null;
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
    this.context = { bounds: evaluation.bounds, data: evaluation.data, images: evaluation.images };
    this.history.add(evaluation.step, evaluation.divergences);
    if (evaluation.images !== null) {
      this.showImages(evaluation, evaluation.images);
      return;
    }
    this.showObjective(evaluation.divergences);
    this.density.show(evaluation.densities);
    this.scatter.setBounds(evaluation.bounds);
    this.scatter.draw(evaluation.data, evaluation.samples);
    const w2 = evaluation.divergences.find((e) => e.id === "sliced_w2");
    if (w2 === undefined) return;
    this.part("w2").textContent = w2.value.toFixed(3);
    this.part("floor").textContent = format(w2.noise_floor?.upper, 3);
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
