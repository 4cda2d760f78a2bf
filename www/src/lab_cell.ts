// One lab cell: a family on a dataset with its controls, player, plots and views. Its settings
// are part of the notebook's state; changes are reported so the notebook can mirror them.
// Nothing here does math; every user-visible string goes in as text.

import { WorkerEngine, type Engine, type Lab } from "./engine";
import { actionButtons, settingControls } from "./controls";
import { download, joinedPng, weightsSettings } from "./exports";
import type { CustomDataset, GenLab } from "./genlab";
import { FAMILIES, family, type FamilyName } from "./families";
import { Player } from "./player";
import { HIDEABLE, defaultsFor, labOptions, type Hideable, type LabState } from "./state";
import { LabPlots } from "./lab_plots";
import { OPTIMAL_DISCRIMINATOR, ViewPanel } from "./views";

/** What a lab cell tells its notebook. */
export interface LabCellEvents {
  /** Its settings changed (mirror the notebook). */
  onChange(): void;
  /** It starts training (pause the others: one lab trains at a time). */
  onPlay(cell: LabCell): void;
}

/** The message of an error, as text. */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The numeric settings every family shares, each with its input in the lab template. */
const SHARED_NUMBERS = ["learning_rate", "batch_size", "seed"] as const;

/** Largest weights file accepted (the same limit Rust enforces). */
const MAX_WEIGHTS_BYTES = 128 << 20;

export class LabCell {
  private lab: Lab | null = null;
  /** A model is being built (no second build meanwhile). */
  private building: Promise<boolean> | null = null;
  /** The user's own data, which replaces the named dataset until another one is chosen. */
  private custom: CustomDataset | null = null;
  private readonly player: Player;
  private readonly plots: LabPlots;
  private readonly message: HTMLParagraphElement;
  private readonly trainButton: HTMLButtonElement;
  private readonly views: ViewPanel;
  /** Controls hidden by a lesson link. */
  private hide: Hideable[] = [];

  constructor(
    /** The cell's element, cloned from the page's lab template. */
    readonly root: HTMLElement,
    private readonly genlab: GenLab,
    /** Where labs are created (a worker, or the main thread). */
    private readonly engine: () => Engine,
    private state: LabState,
    private readonly events: LabCellEvents,
  ) {
    this.message = this.part<HTMLParagraphElement>("message");
    this.trainButton = this.part<HTMLButtonElement>("train");
    this.plots = new LabPlots(this.part.bind(this), this.datasetInfo().bounds);
    this.player = new Player({
      onTrain: (report, rate, fps) => this.plots.train(report, family(this.state.family), rate, fps),
      onEvaluate: (evaluation) => this.plots.evaluation(evaluation, family(this.state.family)),
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
      { back: this.part<HTMLButtonElement>("view-back"), next: this.part<HTMLButtonElement>("view-next") },
      () => {
        if (!this.player.playing && this.lab !== null) void this.refreshView(this.lab);
      },
    );
    this.bindControls();
  }

  private async refreshView(lab: Lab): Promise<void> {
    if (this.plots.context === null) return;
    try {
      await this.views.refresh(lab, this.plots.context);
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
    dataset.value = this.state.dataset;
    dataset.addEventListener("change", () => {
      this.custom = null;
      void this.change({ dataset: dataset.value as LabState["dataset"] });
    });
    this.part("use-points").addEventListener("click", () => void this.usePoints());
    for (const name of SHARED_NUMBERS) {
      const input = this.part<HTMLInputElement>(name);
      input.addEventListener("change", () => void this.change({ [name]: Number(input.value) }));
    }
    this.trainButton.addEventListener("click", () => this.togglePlay());
    this.part("reset").addEventListener("click", () => void this.reset());
    this.part("step-once").addEventListener("click", () => void this.stepOnce());
    const slow = this.part<HTMLInputElement>("slow-motion");
    slow.addEventListener("change", () => (this.player.slowMotion = slow.checked));
    this.part("export-png").addEventListener("click", () => this.exportPng());
    this.part("export-csv").addEventListener("click", () => this.exportCsv());
    this.part("reflow").addEventListener("click", () => void this.reflow());
    this.part("export-weights").addEventListener("click", () => void this.exportWeights());
    this.part<HTMLInputElement>("import-weights").addEventListener("change", (event) => void this.importWeights(event));
    this.part("measure-straightness").addEventListener("click", () => void this.measureStraightness());
    this.showFamily();
  }

  /** Flow matching: retrains from now on on the model's own couplings (rectified flow). */
  private async reflow(): Promise<void> {
    await this.activate();
    if (this.lab === null) return;
    const wasPlaying = this.player.playing;
    this.player.stop();
    try {
      const count = await this.lab.reflow();
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
    const value = await this.lab.straightness(2000);
    this.part("straightness").textContent = value.toFixed(4);
  }

  /** Titles the lab and builds the controls of the family's own settings, with tooltips. */
  private showFamily(): void {
    const entry = family(this.state.family);
    this.part<HTMLSelectElement>("family").value = entry.name;
    this.part("family-title").textContent = entry.label;
    this.part("family-lede").textContent = entry.lede;
    for (const name of SHARED_NUMBERS) this.part<HTMLInputElement>(name).value = String(this.state[name]);
    this.part("loss-label").textContent = entry.stat;
    this.part("objective-readout").hidden = entry.name !== "gan";
    this.part("flow-actions").hidden = entry.name !== "flow_matching";
    this.part("straightness").textContent = "–";
    const controls = settingControls(entry, this.state, (patch) => void this.change(patch));
    this.part("family-controls").replaceChildren(...controls);
  }

  /**
   * A settings change: sampling-only settings go to the trained model as they are; anything
   * else needs a new model, so it is applied, said, and this lab rebuilt.
   */
  private async change(patch: Partial<LabState>): Promise<void> {
    while (this.building !== null) await this.building;
    const sampling = family(this.state.family).sampling as readonly string[];
    if (this.lab !== null && patch.family === undefined && Object.keys(patch).every((k) => sampling.includes(k))) {
      try {
        await this.lab.setSampling(patch as Record<string, string | number>);
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
    while (this.building !== null) await this.building;
    this.building = this.rebuild();
    try {
      return await this.building;
    } finally {
      this.building = null;
    }
  }

  /** The body of `reset`: nothing else touches the lab until it resolves. */
  private async rebuild(): Promise<boolean> {
    const wasPlaying = this.player.playing;
    this.player.stop();
    const shownStep = this.part("step").textContent;
    this.setBusy(true);
    try {
      await this.replaceLab(wasPlaying);
      return true;
    } catch (error) {
      this.say(errorText(error));
      this.part("step").textContent = shownStep;
      return false;
    } finally {
      this.setBusy(false);
    }
  }

  /** While a model is built, the controls that act on a model are disabled. */
  private setBusy(busy: boolean): void {
    for (const role of ["train", "step-once", "reflow", "measure-straightness", "export-weights"]) {
      this.part<HTMLButtonElement>(role).disabled = busy;
    }
    for (const button of this.part("actions").querySelectorAll("button")) button.disabled = busy;
    this.root.dataset.busy = String(busy);
  }

  /** Creates the model of the current state and shows it; throws if it was rejected. */
  private async replaceLab(wasPlaying: boolean): Promise<void> {
    this.part("step").textContent = "0";
    const options = labOptions(this.state);
    const engine = this.engine();
    const lab = await engine.create(family(this.state.family).className, this.custom === null ? options : { ...options, dataset: this.custom });
    this.player.inWorker = engine instanceof WorkerEngine;
    this.lab?.free();
    this.lab = lab;
    this.say("");
    this.plots.clear();
    this.showActions(lab);
    const views = lab.info.views;
    this.views.setViews(this.state.family === "gan" ? [...views, OPTIMAL_DISCRIMINATOR] : views, family(this.state.family).stage);
    try {
      await this.player.evaluate(lab);
      await this.refreshView(lab);
    } catch (error) {
      this.say(errorText(error));
    }
    this.setPlaying(wasPlaying);
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

  /** Downloads the samples plot, the family view and the density pair side by side as one PNG. */
  private async exportPng(): Promise<void> {
    const roles = ["scatter", "view", "density-model", "density-data"];
    const blob = await joinedPng(roles.map((role) => this.part<HTMLCanvasElement>(role)));
    if (blob !== null) download(blob, `genlab-${this.state.family}-step-${this.part("step").textContent}.png`);
  }

  /** Downloads every evaluation's divergences (value and noise floor) as CSV. */
  private exportCsv(): void {
    download(new Blob([this.plots.history.csv()], { type: "text/csv" }), `genlab-${this.state.family}-divergences.csv`);
  }

  /** Downloads the trained weights (read from the device asynchronously). */
  private async exportWeights(): Promise<void> {
    await this.activate();
    if (this.lab === null) return;
    try {
      const bytes = await this.lab.exportWeights();
      download(new Blob([bytes as BlobPart], { type: "application/octet-stream" }), `genlab-${this.state.family}-step-${this.part("step").textContent}.genlab`);
    } catch (error) {
      this.say(errorText(error));
    }
  }

  /**
   * Loads a weights file: checks it, rebuilds this lab with the options saved in it (so the
   * networks' shapes match), then loads the weights. A bad file changes nothing.
   */
  private async importWeights(event: Event): Promise<void> {
    const input = event.target as HTMLInputElement;
    const file = input.files?.[0];
    input.value = "";
    if (file === undefined) return;
    if (file.size > MAX_WEIGHTS_BYTES) return this.say(`${file.name} is larger than ${MAX_WEIGHTS_BYTES} bytes.`);
    const bytes = new Uint8Array(await file.arrayBuffer());
    let settings: LabState;
    try {
      settings = weightsSettings(this.genlab, bytes, this.state);
    } catch (error) {
      return this.say(`${file.name} was not loaded: ${errorText(error)}`);
    }
    const previous = this.state;
    this.custom = null;
    this.state = settings;
    this.showFamily();
    if (!(await this.reset()) || this.lab === null) {
      this.state = previous;
      this.showFamily();
      return;
    }
    try {
      const step = await this.lab.importWeights(bytes);
      this.part("step").textContent = String(step);
      await this.player.evaluate(this.lab);
      await this.refreshView(this.lab);
      this.mirrorUrl();
      this.say(`Loaded ${file.name}: weights of step ${step} (the optimizer's moments start afresh).`);
    } catch (error) {
      this.say(`${file.name} was not loaded: ${errorText(error)}`);
    }
  }

  /** Buttons for the family's fine-grained steps (one discriminator step, one Langevin step). */
  private showActions(lab: Lab): void {
    const buttons = actionButtons(lab.info.actions, (name) => void this.runAction(name));
    this.part("actions").replaceChildren(...buttons);
  }

  /** One fine-grained step (while paused), then an evaluation and the view. */
  private async runAction(name: string): Promise<void> {
    await this.activate();
    if (this.player.playing || this.lab === null) return;
    try {
      this.plots.train(await this.lab.act(name), family(this.state.family));
      await this.player.evaluate(this.lab);
      await this.refreshView(this.lab);
    } catch (error) {
      this.say(errorText(error));
    }
  }

  /** Hides the controls a lesson link names (and shows the others). */
  setHidden(hide: readonly Hideable[]): void {
    this.hide = HIDEABLE.filter((name) => hide.includes(name));
    for (const element of this.root.querySelectorAll<HTMLElement>("[data-control]")) {
      element.hidden = this.hide.includes(element.dataset.control as Hideable);
    }
  }

  /** The controls hidden by a lesson link. */
  get hidden(): Hideable[] {
    return [...this.hide];
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
    // A build may start while another's awaiters resume: wait until none is running.
    while (this.building !== null) await this.building;
    if (this.lab === null) await this.reset();
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
}
