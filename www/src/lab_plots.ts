// What a lab cell shows of its model: the readouts (step, loss, steps/s, frames/s, sliced W2 and
// its floor, the GAN's value), the scatter of data and samples, the density pair, the divergence
// history and the training statistics. The cell feeds it reports and evaluations.

import { DivergenceHistory } from "./divergence_history";
import type { FamilyEntry } from "./families";
import type { Estimate, Evaluation, TrainReport } from "./genlab";
import { DensityPair } from "./plots/density_pair";
import { LossCurve } from "./plots/loss_curve";
import { ScatterPlot } from "./plots/scatter";
import type { ViewContext } from "./views";

/** A lab cell's plots and readouts, found by `data-role` through `part`. */
export class LabPlots {
  private readonly scatter: ScatterPlot;
  private readonly density: DensityPair;
  private readonly losses: LossCurve;
  readonly history: DivergenceHistory;
  /** The GAN's latest V(D, G), shown beside 2·JS − log 4. */
  private ganValue: number | null = null;
  /** The bounds and data of the latest evaluation, for the family's views. */
  context: ViewContext | null = null;

  constructor(
    private readonly part: <T extends HTMLElement = HTMLElement>(role: string) => T,
    bounds: ViewContext["bounds"],
  ) {
    this.scatter = new ScatterPlot(part("scatter"), bounds);
    this.density = new DensityPair(part<HTMLCanvasElement>("density-model"), part<HTMLCanvasElement>("density-data"), part("density-caption"));
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
    for (const id of ["loss", "w2", "floor", "rate", "fps", "objective"]) this.part(id).textContent = "–";
    this.part("step").textContent = "0";
    this.ganValue = null;
  }

  /** A slice (or a fine step) trained: its statistics, and the rates when training runs. */
  train(report: TrainReport, entry: FamilyEntry, rate = 0, fps = 0): void {
    this.part("step").textContent = String(report.step);
    this.part("loss").textContent = report.stats[entry.stat]?.toFixed(4) ?? "–";
    this.part("rate").textContent = rate > 0 ? rate.toFixed(0) : "–";
    this.part("fps").textContent = fps > 0 ? fps.toFixed(0) : "–";
    this.ganValue = report.stats.value ?? this.ganValue;
    this.losses.push(report.step, report.stats);
  }

  /** An evaluation: samples, densities, divergences. */
  evaluation(evaluation: Evaluation, entry: FamilyEntry): void {
    this.context = { bounds: evaluation.bounds, data: evaluation.data };
    if (entry.name === "gan") this.showObjective(evaluation.divergences);
    this.density.show(evaluation.densities);
    this.scatter.setBounds(evaluation.bounds);
    this.scatter.draw(evaluation.data, evaluation.samples);
    this.history.add(evaluation.step, evaluation.divergences);
    const w2 = evaluation.divergences.find((e) => e.name.startsWith("sliced W2"));
    if (w2 === undefined) return;
    this.part("w2").textContent = w2.value.toFixed(3);
    this.part("floor").textContent = w2.noise_floor?.toFixed(3) ?? "–";
  }

  /** For a GAN: its V(D, G) beside 2·JS − log 4, the value at the optimal discriminator. */
  private showObjective(divergences: Estimate[]): void {
    const js = divergences.find((e) => e.name.startsWith("JS("));
    if (js === undefined) return;
    const bound = 2 * js.value - Math.log(4);
    const value = this.ganValue === null ? "–" : this.ganValue.toFixed(3);
    this.part("objective").textContent = `${value} vs ${bound.toFixed(3)}`;
  }
}
