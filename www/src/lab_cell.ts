// One lab cell: a family on a dataset with its controls, player, plots and views. Its settings
// are part of the notebook's state; changes are reported so the notebook can mirror them.
// Nothing here does math; every user-visible string goes in as text.

import type { CustomDataset, Estimate, Evaluation, FlowMatchingHandle, GenLab, LabHandle } from "./genlab";
import { FAMILIES, family, type FamilyName } from "./families";
import { Player } from "./player";
import { CurvePlot, type CurvePoint } from "./plots/curve";
import { DivergenceTable } from "./plots/divergence_table";
import { ScatterPlot } from "./plots/scatter";
import { defaultsFor, labOptions, property, type LabState } from "./state";
import { OPTIMAL_DISCRIMINATOR, ViewPanel, type ViewContext } from "./views";

/** What a lab cell tells its notebook. */
export interface LabCellEvents {
  /** Its settings changed (mirror the notebook). */
  onChange(): void;
  /** It starts training (pause the others: one lab trains at a time). */
  onPlay(cell: LabCell): void;
}

/** Saves `blob` as a file called `name`. */
export function download(blob: Blob, name: string): void {
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 1000);
}

/** The message of an error, as text. */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class LabCell {
  private lab: LabHandle | null = null;
  /** A model is being built (no second build meanwhile). */
  private building = false;
  /** The user's own data, which replaces the named dataset until another one is chosen. */
  private custom: CustomDataset | null = null;
  private readonly player: Player;
  private readonly scatter: ScatterPlot;
  private readonly curve: CurvePlot;
  private readonly curveChoice: HTMLSelectElement;
  private readonly curveLog: HTMLInputElement;
  /** Every evaluation's divergences since the last reset, for redrawing another curve. */
  private history: { step: number; divergences: Estimate[] }[] = [];
  private readonly table: DivergenceTable;
  private readonly message: HTMLParagraphElement;
  private readonly trainButton: HTMLButtonElement;
  private readonly views: ViewPanel;
  private viewContext: ViewContext | null = null;
  /** The GAN's latest V(D, G), shown beside 2·JS − log 4. */
  private ganValue: number | null = null;

  constructor(
    /** The cell's element, cloned from the page's lab template. */
    readonly root: HTMLElement,
    private readonly genlab: GenLab,
    private state: LabState,
    private readonly events: LabCellEvents,
  ) {
    this.curve = new CurvePlot(this.part("curve"));
    this.curveChoice = this.part<HTMLSelectElement>("curve-divergence");
    this.curveLog = this.part<HTMLInputElement>("curve-log");
    this.table = new DivergenceTable(this.part<HTMLTableSectionElement>("divergences"));
    this.message = this.part<HTMLParagraphElement>("message");
    this.trainButton = this.part<HTMLButtonElement>("train");
    const dataset = this.datasetInfo();
    this.scatter = new ScatterPlot(this.part("scatter"), dataset.bounds);
    this.player = new Player({
      onTrain: (report, rate, fps) => {
        this.part("step").textContent = String(report.step);
        const stat = family(this.state.family).stat;
        this.part("loss").textContent = report.stats[stat]?.toFixed(4) ?? "–";
        this.part("rate").textContent = rate > 0 ? rate.toFixed(0) : "–";
        this.part("fps").textContent = fps > 0 ? fps.toFixed(0) : "–";
        this.ganValue = report.stats.value ?? null;
      },
      onEvaluate: (evaluation) => this.showEvaluation(evaluation),
      refreshView: (lab) => this.refreshView(lab),
      onError: (error) => {
        this.setPlaying(false);
        this.say(errorText(error));
      },
    });
    this.views = new ViewPanel(
      this.part<HTMLSelectElement>("view-choice"),
      this.part<HTMLInputElement>("view-parameter"),
      this.part("view-parameter-value"),
      this.part("view-description"),
      this.part<HTMLCanvasElement>("view"),
      () => {
        if (!this.player.playing && this.lab !== null) void this.refreshView(this.lab);
      },
    );
    this.bindControls();
  }

  private async refreshView(lab: LabHandle): Promise<void> {
    if (this.viewContext === null) return;
    try {
      await this.views.refresh(lab, this.viewContext);
    } catch (error) {
      this.say(errorText(error));
    }
  }

  private datasetInfo() {
    const info = this.genlab.datasets().find((d) => d.name === this.state.dataset);
    if (info === undefined) throw new Error(`unknown dataset ${this.state.dataset}`);
    return info;
  }

  /** Shows a message (plain text) under the controls; empty clears it. */
  say(text: string): void {
    this.message.textContent = text;
  }

  private bindControls(): void {
    const familyChoice = this.part<HTMLSelectElement>("family");
    familyChoice.replaceChildren(...FAMILIES.map((f) => new Option(f.label, f.name)));
    familyChoice.value = this.state.family;
    familyChoice.addEventListener("change", () => {
      const { dataset, backend, seed, learning_rate, batch_size } = this.state;
      const fresh = defaultsFor(familyChoice.value as FamilyName);
      void this.change({ ...fresh, dataset, backend, seed, learning_rate, batch_size });
    });
    const dataset = this.part<HTMLSelectElement>("dataset");
    for (const info of this.genlab.datasets()) {
      dataset.append(new Option(info.name.replace(/_/g, " "), info.name));
    }
    const learningRate = this.part<HTMLInputElement>("learning_rate");
    dataset.value = this.state.dataset;
    learningRate.value = String(this.state.learning_rate);
    dataset.addEventListener("change", () => {
      this.custom = null;
      void this.change({ dataset: dataset.value as LabState["dataset"] });
    });
    this.part("use-points").addEventListener("click", () => void this.usePoints());
    learningRate.addEventListener("change", () => void this.change({ learning_rate: Number(learningRate.value) }));
    this.trainButton.addEventListener("click", () => this.togglePlay());
    this.curveChoice.addEventListener("change", () => this.redrawCurve());
    this.curveLog.addEventListener("change", () => this.redrawCurve());
    this.part("reset").addEventListener("click", () => void this.reset());
    this.part("step-once").addEventListener("click", () => void this.stepOnce());
    const slow = this.part<HTMLInputElement>("slow-motion");
    slow.addEventListener("change", () => (this.player.slowMotion = slow.checked));
    this.part("export-png").addEventListener("click", () => this.exportPng());
    this.part("export-csv").addEventListener("click", () => this.exportCsv());
    this.part("reflow").addEventListener("click", () => void this.reflow());
    this.part("measure-straightness").addEventListener("click", () => void this.measureStraightness());
    this.showFamily();
  }

  /** Flow matching: retrains from now on on the model's own couplings (rectified flow). */
  private async reflow(): Promise<void> {
    if (this.lab === null) return;
    const wasPlaying = this.player.playing;
    this.player.stop();
    try {
      const count = (this.lab as FlowMatchingHandle).reflow();
      this.say(`Reflow ${count}: training now on 8 192 pairs (z, ODE(z)) of the current model.`);
      await this.measureStraightness();
    } catch (error) {
      this.say(errorText(error));
    }
    this.setPlaying(wasPlaying);
  }

  private async measureStraightness(): Promise<void> {
    if (this.lab === null || this.player.playing) {
      this.say("Pause training to measure the straightness.");
      return;
    }
    const value = await (this.lab as FlowMatchingHandle).straightness(2000);
    this.part("straightness").textContent = value.toFixed(4);
  }

  /** Titles the lab and builds the controls of the family's own settings, with tooltips. */
  private showFamily(): void {
    const entry = family(this.state.family);
    this.part<HTMLSelectElement>("family").value = entry.name;
    this.part("family-title").textContent = entry.label;
    this.part("family-lede").textContent = entry.lede;
    this.part("loss-label").textContent = entry.stat;
    this.part("objective-readout").hidden = entry.name !== "gan";
    this.part("flow-actions").hidden = entry.name !== "flow_matching";
    this.part("straightness").textContent = "–";
    const controls = entry.options.map((name) => {
      const spec = property(name);
      const label = document.createElement("label");
      label.append(name.replace(/_/g, " "));
      let input: HTMLInputElement | HTMLSelectElement;
      if (spec.kind === "choice") {
        input = document.createElement("select");
        const choices = entry.choices?.[name] ?? spec.choices;
        input.append(...choices.map((c) => new Option(c.replace(/_/g, " "), c)));
        label.title = spec.help;
      } else {
        input = document.createElement("input");
        input.type = "number";
        input.min = String(spec.min);
        input.max = String(spec.max);
        input.step = spec.kind === "integer" ? "1" : "any";
        label.title = `${spec.help} (${spec.min} to ${spec.max})`;
      }
      input.dataset.role = `option-${name}`;
      input.value = String(this.state[name]);
      input.addEventListener("change", () => {
        const value = spec.kind === "choice" ? input.value : Number(input.value);
        void this.change({ [name]: value } as Partial<LabState>);
      });
      label.append(input);
      return label;
    });
    this.part("family-controls").replaceChildren(...controls);
  }

  /**
   * A settings change: sampling-only settings go to the trained model as they are; anything
   * else needs a new model, so it is applied, said, and this lab rebuilt.
   */
  private async change(patch: Partial<LabState>): Promise<void> {
    const sampling = family(this.state.family).sampling as readonly string[];
    if (this.lab !== null && patch.family === undefined && Object.keys(patch).every((k) => sampling.includes(k))) {
      try {
        this.lab.setSampling(patch as Record<string, string | number>);
      } catch (error) {
        this.say(errorText(error));
        this.showFamily();
        return;
      }
      this.state = { ...this.state, ...patch };
      this.mirrorUrl();
      this.say(`${Object.keys(patch).join(", ")} changed: the trained model is kept.`);
      if (!this.player.playing) {
        await this.player.evaluate(this.lab);
        await this.refreshView(this.lab);
      }
      return;
    }
    const previous = this.state;
    this.state = { ...this.state, ...patch };
    if (patch.family !== undefined) this.showFamily();
    const ok = await this.reset();
    if (!ok) {
      this.state = previous;
      this.showFamily();
      return;
    }
    this.mirrorUrl();
    const what = patch.family !== undefined ? `family changed to ${family(patch.family).label}` : `${Object.keys(patch).join(", ")} changed`;
    this.say(`${what}: the model was reset.`);
  }

  /** Trains on the pasted CSV points; Rust validates them and names the bad line. */
  private async usePoints(): Promise<void> {
    const previous = this.custom;
    this.custom = { kind: "points", csv: this.part<HTMLTextAreaElement>("points-csv").value };
    if (await this.reset()) {
      this.say("Training on your points (they are not saved in the URL).");
    } else {
      this.custom = previous;
    }
  }

  private mirrorUrl(): void {
    this.events.onChange();
  }

  /** Builds a fresh model from the state; false (with the reason shown) if it was rejected. */
  async reset(): Promise<boolean> {
    const wasPlaying = this.player.playing;
    this.player.stop();
    let lab: LabHandle;
    this.building = true;
    try {
      const options = labOptions(this.state);
      const familyClass = this.genlab[family(this.state.family).className];
      lab = await familyClass.create(this.custom === null ? options : { ...options, dataset: this.custom });
    } catch (error) {
      this.say(errorText(error));
      return false;
    } finally {
      this.building = false;
    }
    this.lab?.free();
    this.lab = lab;
    this.say("");
    this.history = [];
    this.curve.clear();
    this.table.clear();
    for (const id of ["loss", "w2", "floor", "rate", "fps", "objective"]) this.part(id).textContent = "–";
    this.part("step").textContent = "0";
    this.ganValue = null;
    this.views.setViews(this.state.family === "gan" ? [...lab.views(), OPTIMAL_DISCRIMINATOR] : lab.views());
    await this.player.evaluate(lab);
    await this.refreshView(lab);
    this.setPlaying(wasPlaying);
    return true;
  }

  /** One training step, then an evaluation and the view (only while paused). */
  private async stepOnce(): Promise<void> {
    if (this.player.playing) return;
    await this.activate();
    if (this.lab === null) return;
    try {
      await this.player.step(this.lab);
      await this.player.evaluate(this.lab);
      await this.refreshView(this.lab);
    } catch (error) {
      this.say(errorText(error));
    }
  }

  /** Downloads the samples plot and the family view side by side as one PNG. */
  private exportPng(): void {
    const canvases = [this.part<HTMLCanvasElement>("scatter"), this.part<HTMLCanvasElement>("view")];
    const joined = document.createElement("canvas");
    joined.width = canvases.reduce((sum, c) => sum + c.width, 0);
    joined.height = Math.max(...canvases.map((c) => c.height));
    const context = joined.getContext("2d");
    if (context === null) return;
    context.fillStyle = "white";
    context.fillRect(0, 0, joined.width, joined.height);
    let x = 0;
    for (const canvas of canvases) {
      context.drawImage(canvas, x, 0);
      x += canvas.width;
    }
    joined.toBlob((blob) => blob && download(blob, `genlab-${this.state.family}-step-${this.part("step").textContent}.png`));
  }

  /** Downloads every evaluation's divergences (value and noise floor) as CSV. */
  private exportCsv(): void {
    const names = this.history[0]?.divergences.map((e) => e.name) ?? [];
    const quote = (text: string) => `"${text.replace(/"/g, '""')}"`;
    const header = ["step", ...names.flatMap((n) => [quote(n), quote(`${n} noise floor`)])].join(",");
    const rows = this.history.map(({ step, divergences }) =>
      [step, ...names.flatMap((n) => {
        const e = divergences.find((d) => d.name === n);
        return [e?.value ?? "", e?.noise_floor ?? ""];
      })].join(","),
    );
    download(new Blob([[header, ...rows].join("\n") + "\n"], { type: "text/csv" }), `genlab-${this.state.family}-divergences.csv`);
  }

  /** The lab's settings. */
  get settings(): LabState {
    return this.state;
  }

  /** Whether the model has been built. */
  get active(): boolean {
    return this.lab !== null;
  }

  /** Builds the model if it has not been built yet (a cell builds it when first seen). */
  async activate(): Promise<void> {
    if (this.lab === null && !this.building) await this.reset();
  }

  /** Takes the notebook's backend choice (the caller rebuilds the lab with `reset`). */
  setBackend(backend: LabState["backend"]): void {
    this.state = { ...this.state, backend };
  }

  /** Starts training (building the model first if needed). */
  play(): void {
    void this.activate().then(() => this.setPlaying(true));
  }

  /** Stops training (another cell started). */
  pause(): void {
    this.setPlaying(false);
  }

  /** Stops and frees the model (the cell is deleted). */
  dispose(): void {
    this.setPlaying(false);
    this.lab?.free();
    this.lab = null;
  }

  /** The element of this cell with `data-role="role"`. */
  private part<T extends HTMLElement = HTMLElement>(role: string): T {
    const found = this.root.querySelector<T>(`[data-role="${role}"]`);
    if (found === null) throw new Error(`the lab template lacks ${role}`);
    return found;
  }

  private togglePlay(): void {
    if (this.lab === null || !this.player.playing) this.play();
    else this.setPlaying(false);
  }

  private setPlaying(playing: boolean): void {
    if (playing && this.lab !== null) {
      this.events.onPlay(this);
      this.player.start(this.lab);
    } else {
      this.player.stop();
    }
    this.trainButton.textContent = this.player.playing ? "Pause" : "Train";
  }

  private curvePoint(divergences: Estimate[], step: number): CurvePoint | null {
    const estimate = divergences.find((e) => e.name === this.curveChoice.value);
    return estimate === undefined ? null : { step, value: estimate.value, floor: estimate.noise_floor };
  }

  private redrawCurve(): void {
    const points = this.history
      .map((entry) => this.curvePoint(entry.divergences, entry.step))
      .filter((p): p is CurvePoint => p !== null);
    this.curve.show(this.curveChoice.value, points, this.curveLog.checked);
  }

  private showEvaluation(evaluation: Evaluation): void {
    this.viewContext = { bounds: evaluation.bounds, data: evaluation.data };
    this.showObjective(evaluation.divergences);
    this.scatter.setBounds(evaluation.bounds);
    this.scatter.draw(evaluation.data, evaluation.samples);
    this.table.show(evaluation.divergences);
    this.history.push({ step: evaluation.step, divergences: evaluation.divergences });
    if (this.curveChoice.options.length !== evaluation.divergences.length) {
      const chosen = this.curveChoice.value || "sliced W2(data, model)";
      this.curveChoice.replaceChildren(...evaluation.divergences.map((e) => new Option(e.name, e.name)));
      this.curveChoice.value = chosen;
      this.redrawCurve();
    } else {
      const point = this.curvePoint(evaluation.divergences, evaluation.step);
      if (point !== null) this.curve.push(point);
    }
    const w2 = evaluation.divergences.find((e) => e.name.startsWith("sliced W2"));
    if (w2 === undefined) return;
    this.part("w2").textContent = w2.value.toFixed(3);
    this.part("floor").textContent = w2.noise_floor?.toFixed(3) ?? "–";
  }

  /** For a GAN: its V(D, G) beside 2·JS − log 4, the value at the optimal discriminator. */
  private showObjective(divergences: Estimate[]): void {
    const js = divergences.find((e) => e.name.startsWith("JS("));
    if (this.state.family !== "gan" || js === undefined) return;
    const bound = 2 * js.value - Math.log(4);
    const value = this.ganValue === null ? "–" : this.ganValue.toFixed(3);
    this.part("objective").textContent = `${value} vs ${bound.toFixed(3)}`;
  }
}

