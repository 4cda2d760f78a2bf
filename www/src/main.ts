// The page: loads the wasm module, mirrors the state to the URL, and wires the controls, the
// player and the plots. Nothing here does math; every user-visible string goes in as text.

import {
  loadGenLab,
  type BackendInfo,
  type CustomDataset,
  type Estimate,
  type Evaluation,
  type FlowMatchingHandle,
  type GenLab,
  type LabHandle,
} from "./genlab";
import { FAMILIES, family, type FamilyName } from "./families";
import { Player } from "./player";
import { CurvePlot, type CurvePoint } from "./plots/curve";
import { DivergenceTable } from "./plots/divergence_table";
import { ScatterPlot } from "./plots/scatter";
import { defaultsFor, labOptions, parseQuery, property, toQuery, type LabState } from "./state";
import { OPTIMAL_DISCRIMINATOR, ViewPanel, type ViewContext } from "./views";

function element<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (found === null) throw new Error(`the page lacks #${id}`);
  return found as T;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

class Page {
  private lab: LabHandle | null = null;
  /** The user's own data, which replaces the named dataset until another one is chosen. */
  private custom: CustomDataset | null = null;
  private readonly player: Player;
  private readonly scatter: ScatterPlot;
  private readonly curve = new CurvePlot(element("curve"));
  private readonly curveChoice = element<HTMLSelectElement>("curve-divergence");
  private readonly curveLog = element<HTMLInputElement>("curve-log");
  /** Every evaluation's divergences since the last reset, for redrawing another curve. */
  private history: { step: number; divergences: Estimate[] }[] = [];
  private readonly table = new DivergenceTable(element<HTMLTableSectionElement>("divergences"));
  private readonly message = element<HTMLParagraphElement>("message");
  private readonly trainButton = element<HTMLButtonElement>("train");
  private readonly views: ViewPanel;
  private viewContext: ViewContext | null = null;
  /** The GAN's latest V(D, G), shown beside 2·JS − log 4. */
  private ganValue: number | null = null;

  constructor(private readonly genlab: GenLab, private state: LabState) {
    const dataset = this.datasetInfo();
    this.scatter = new ScatterPlot(element("scatter"), dataset.bounds);
    this.player = new Player({
      onTrain: (report, rate) => {
        element("step").textContent = String(report.step);
        const stat = family(this.state.family).stat;
        element("loss").textContent = report.stats[stat]?.toFixed(4) ?? "–";
        element("rate").textContent = rate > 0 ? rate.toFixed(0) : "–";
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
      element<HTMLSelectElement>("view-choice"),
      element<HTMLInputElement>("view-parameter"),
      element("view-parameter-value"),
      element("view-description"),
      element<HTMLCanvasElement>("view"),
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
    const familyChoice = element<HTMLSelectElement>("family");
    familyChoice.replaceChildren(...FAMILIES.map((f) => new Option(f.label, f.name)));
    familyChoice.value = this.state.family;
    familyChoice.addEventListener("change", () => {
      const { dataset, backend, seed, learning_rate, batch_size } = this.state;
      const fresh = defaultsFor(familyChoice.value as FamilyName);
      void this.change({ ...fresh, dataset, backend, seed, learning_rate, batch_size });
    });
    const dataset = element<HTMLSelectElement>("dataset");
    for (const info of this.genlab.datasets()) {
      dataset.append(new Option(info.name.replace(/_/g, " "), info.name));
    }
    const backend = element<HTMLSelectElement>("backend");
    const learningRate = element<HTMLInputElement>("learning_rate");
    dataset.value = this.state.dataset;
    backend.value = this.state.backend;
    learningRate.value = String(this.state.learning_rate);
    dataset.addEventListener("change", () => {
      this.custom = null;
      void this.change({ dataset: dataset.value as LabState["dataset"] });
    });
    element("use-points").addEventListener("click", () => void this.usePoints());
    learningRate.addEventListener("change", () => void this.change({ learning_rate: Number(learningRate.value) }));
    backend.addEventListener("change", () => void this.switchBackend(backend.value as LabState["backend"]));
    this.trainButton.addEventListener("click", () => this.togglePlay());
    this.curveChoice.addEventListener("change", () => this.redrawCurve());
    this.curveLog.addEventListener("change", () => this.redrawCurve());
    element("reset").addEventListener("click", () => void this.reset());
    element("reflow").addEventListener("click", () => void this.reflow());
    element("measure-straightness").addEventListener("click", () => void this.measureStraightness());
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
    element("straightness").textContent = value.toFixed(4);
  }

  /** Titles the lab and builds the controls of the family's own settings, with tooltips. */
  private showFamily(): void {
    const entry = family(this.state.family);
    element<HTMLSelectElement>("family").value = entry.name;
    element("family-title").textContent = entry.label;
    element("family-lede").textContent = entry.lede;
    element("loss-label").textContent = entry.stat;
    element("objective-readout").hidden = entry.name !== "gan";
    element("flow-actions").hidden = entry.name !== "flow_matching";
    element("straightness").textContent = "–";
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
      input.id = `option-${name}`;
      input.value = String(this.state[name]);
      input.addEventListener("change", () => {
        const value = spec.kind === "choice" ? input.value : Number(input.value);
        void this.change({ [name]: value } as Partial<LabState>);
      });
      label.append(input);
      return label;
    });
    element("family-controls").replaceChildren(...controls);
  }

  /** Chooses the backend; a forced WebGPU that cannot run falls back to the CPU, saying why. */
  async startBackend(): Promise<void> {
    let info: BackendInfo;
    try {
      info = await this.genlab.initBackend(this.state.backend);
    } catch (error) {
      this.say(`${errorText(error)} — using the CPU backend instead.`);
      info = await this.genlab.initBackend("cpu");
    }
    const badge = element("backend-badge");
    badge.textContent = info.backend === "webgpu" ? `WebGPU · ${info.adapter ?? "adapter"}` : "CPU (wasm)";
    badge.title = info.reason;
    badge.className = `badge ${info.backend}`;
    badge.dataset.backend = info.backend;
  }

  private async switchBackend(preference: LabState["backend"]): Promise<void> {
    this.state = { ...this.state, backend: preference };
    this.mirrorUrl();
    await this.startBackend();
    await this.reset();
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
    this.say(`${Object.keys(patch).join(", ")} changed: the model was reset.`);
  }

  /** Trains on the pasted CSV points; Rust validates them and names the bad line. */
  private async usePoints(): Promise<void> {
    const previous = this.custom;
    this.custom = { kind: "points", csv: element<HTMLTextAreaElement>("points-csv").value };
    if (await this.reset()) {
      this.say("Training on your points (they are not saved in the URL).");
    } else {
      this.custom = previous;
    }
  }

  private mirrorUrl(): void {
    history.replaceState(null, "", `${location.pathname}${toQuery(this.state)}${location.hash}`);
  }

  /** Builds a fresh model from the state; false (with the reason shown) if it was rejected. */
  async reset(): Promise<boolean> {
    const wasPlaying = this.player.playing;
    this.player.stop();
    let lab: LabHandle;
    try {
      const options = labOptions(this.state);
      const familyClass = this.genlab[family(this.state.family).className];
      lab = await familyClass.create(this.custom === null ? options : { ...options, dataset: this.custom });
    } catch (error) {
      this.say(errorText(error));
      return false;
    }
    this.lab?.free();
    this.lab = lab;
    this.say("");
    this.history = [];
    this.curve.clear();
    this.table.clear();
    for (const id of ["loss", "w2", "floor", "rate", "objective"]) element(id).textContent = "–";
    element("step").textContent = "0";
    this.ganValue = null;
    this.views.setViews(this.state.family === "gan" ? [...lab.views(), OPTIMAL_DISCRIMINATOR] : lab.views());
    await this.player.evaluate(lab);
    await this.refreshView(lab);
    this.setPlaying(wasPlaying);
    return true;
  }

  private togglePlay(): void {
    this.setPlaying(!this.player.playing);
  }

  private setPlaying(playing: boolean): void {
    if (playing && this.lab !== null) {
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
    element("w2").textContent = w2.value.toFixed(3);
    element("floor").textContent = w2.noise_floor?.toFixed(3) ?? "–";
  }

  /** For a GAN: its V(D, G) beside 2·JS − log 4, the value at the optimal discriminator. */
  private showObjective(divergences: Estimate[]): void {
    const js = divergences.find((e) => e.name.startsWith("JS("));
    if (this.state.family !== "gan" || js === undefined) return;
    const bound = 2 * js.value - Math.log(4);
    const value = this.ganValue === null ? "–" : this.ganValue.toFixed(3);
    element("objective").textContent = `${value} vs ${bound.toFixed(3)}`;
  }
}

async function main(): Promise<void> {
  const script = document.querySelector<HTMLScriptElement>("script[data-bindings]");
  const bindings = script?.dataset.bindings;
  const wasm = script?.dataset.wasm;
  if (bindings === undefined || wasm === undefined) throw new Error("the page was not built by Trunk");
  const genlab = await loadGenLab(bindings, wasm);
  const { state, errors } = parseQuery(location.search);
  const page = new Page(genlab, state);
  await page.startBackend();
  await page.reset();
  if (errors.length > 0) page.say(`Some settings in the URL were ignored: ${errors.join("; ")}`);
  document.body.dataset.ready = "true";
}

main().catch((error) => {
  const message = document.getElementById("message");
  if (message !== null) message.textContent = `GenLab could not start: ${errorText(error)}`;
  document.body.dataset.ready = "failed";
});
