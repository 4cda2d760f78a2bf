// One lab cell: a family on a dataset (2-D points or images) with its controls, player, plots
// and views. Its settings are part of the notebook's state; changes are reported so the notebook
// can mirror them, and applied by `lab_settings.ts`. The family chooser offers only families that
// learn the chosen kind of data. Its model is built, and rebuilt after a crash or a GPU fault, by
// `lab_model.ts`.
// Nothing here does math; every user-visible string goes in as text.

import { WorkerEngine, type Engine, type Lab } from "./engine";
import { CUSTOM_DATA, datasetOptions, hideControls } from "./controls";
import type { EncodedDrawing } from "./drawn_points";
import type { Bounds, GenLab, NamedDataset } from "./genlab";
import { dataKindOf, family, type FamilyName } from "./families";
import { FamilyActions } from "./family_actions";
import { IMAGE_EVALUATION_SAMPLES, POINT_EVALUATION_SAMPLES, Player } from "./player";
import { SHARED, changes, labOptions, withDataset, withFamily, type Hideable, type LabState } from "./state";
import { LabFiles } from "./lab_files";
import { LabModel } from "./lab_model";
import { LabPlots, PLOT_CANVASES } from "./lab_plots";
import { LabSettings } from "./lab_settings";
import type { Cell } from "./notebook";
import { OwnData } from "./own_data";
import { ViewPanel } from "./views";
import type { StoredWeights } from "./weights_store";

/** What a lab cell tells its notebook. */
export interface LabCellEvents {
  /** Its settings changed (mirror the notebook). */
  onChange(): void;
  /** It starts training (pause the others: one lab trains at a time). */
  onPlay(cell: LabCell): void;
  /** Its model failed on the GPU (device lost, out of memory): move it to the CPU. */
  onDeviceFault(cell: LabCell, message: string): void;
  /** The weights the browser kept for it as it is set up now, if any. */
  keptWeights(cell: LabCell): Promise<StoredWeights | null>;
  /** A snapshot of its weights, to keep across reloads. */
  onSnapshot(cell: LabCell, weights: StoredWeights): void;
  /** The kept weights were refused (`why`): remove them. */
  onKeptRefused(cell: LabCell, why: string): void;
  /** Reset was pressed: the weights kept for it go too. */
  onReset(cell: LabCell): void;
}

/** The window of a dataset without one (images): the unit square. */
const UNIT: Bounds = { x_min: 0, x_max: 1, y_min: 0, y_max: 1 };

/** One lab cell (see the top of this file). */
export class LabCell {
  /** The user's own data (drawn, pasted or from a file), when it replaces the named dataset. */
  private readonly ownData: OwnData;
  /** What the lab trains on when it is the user's own data (e.g. "your 120 points"), else null. */
  private customLabel: string | null = null;
  private readonly player: Player;
  private readonly plots: LabPlots;
  private readonly message: HTMLParagraphElement;
  private readonly trainButton: HTMLButtonElement;
  private readonly views: ViewPanel;
  /** Controls hidden by a lesson link. */
  private hide: Hideable[] = [];
  private readonly model: LabModel;
  private readonly actions: FamilyActions;
  /** Its settings, and how a change of them applies. */
  private readonly config: LabSettings;

  constructor(
    /** The cell's element, cloned from the page's lab template. */
    readonly root: HTMLElement,
    /** The page's module (for dataset metadata and weights checks); replaced after a crash. */
    private readonly genlab: () => GenLab,
    /** Where labs are created (a worker, or the main thread). */
    private readonly engine: () => Engine,
    state: LabState,
    private readonly events: LabCellEvents,
    /** Points drawn for the lab to train on, from the notebook (validated). */
    drawing?: EncodedDrawing,
  ) {
    this.message = this.part<HTMLParagraphElement>("message");
    this.config = new LabSettings(state, {
      root,
      part: this.part.bind(this),
      lab: () => this.lab,
      building: () => this.model.building,
      reset: () => this.reset(),
      playing: () => this.player.playing,
      redraw: (lab) => this.redraw(lab),
      customLabel: () => this.customLabel,
      forgetOwnData: () => this.ownData.forget(),
      say: (text) => this.say(text),
      changed: () => this.events.onChange(),
    });
    this.trainButton = this.part<HTMLButtonElement>("train");
    this.plots = new LabPlots(this.part.bind(this), this.datasetBounds(), {
      animationName: () => `genlab-${this.settings.family}-training`,
      say: (text) => this.say(text),
    });
    this.player = new Player({
      onTrain: (report, rate, fps) => this.plots.train(report, family(this.settings.family), rate, fps),
      onEvaluate: (evaluation) => {
        this.plots.evaluation(evaluation);
        this.model.evaluated(evaluation.step);
      },
      refreshView: (lab) => this.refreshView(lab),
      onError: (error) => {
        this.setPlaying(false);
        this.model.fail(error);
      },
    });
    this.model = new LabModel(root, this.part.bind(this), this.player, {
      create: () => this.createLab(),
      show: (lab, wasPlaying) => this.showLab(lab, wasPlaying),
      pause: () => this.pause(),
      redraw: (lab) => this.redraw(lab),
      say: (text) => this.say(text),
      deviceFault: (message) => this.events.onDeviceFault(this, message),
      stored: () => this.events.keptWeights(this),
      keep: (snapshot) => this.events.onSnapshot(this, snapshot),
      refused: (why) => this.events.onKeptRefused(this, why),
    });
    this.views = new ViewPanel(this.part.bind(this), () => {
      if (!this.player.playing && this.lab !== null) void this.refreshView(this.lab);
    });
    this.actions = new FamilyActions({
      part: this.part.bind(this),
      playing: () => this.player.playing,
      setPlaying: (playing) => this.setPlaying(playing),
      stepPaused: (work) => this.model.stepPaused(work),
      trained: (report) => this.plots.train(report, family(this.settings.family)),
    });
    this.ownData = this.bindOwnData(drawing);
    this.bindControls();
  }

  /** The model, or null before it was built. */
  private get lab(): Lab | null {
    return this.model.lab;
  }

  private async refreshView(lab: Lab): Promise<void> {
    if (this.plots.context === null) return;
    try {
      await this.views.refresh(lab, this.plots.context);
    } catch (error) {
      this.model.fail(error);
    }
  }

  /** The data window of the chosen 2-D dataset (the unit square for images). */
  private datasetBounds(): Bounds {
    return this.genlab().datasets().find((d) => d.name === this.settings.dataset)?.bounds ?? UNIT;
  }

  /** Whether the lab learns images. */
  private get images(): boolean {
    return dataKindOf(this.settings.dataset) === "images";
  }

  /** Shows a message (plain text) under the controls; empty clears it. */
  say(text: string): void {
    this.message.textContent = text;
  }

  private bindControls(): void {
    const familyChoice = this.part<HTMLSelectElement>("family");
    familyChoice.addEventListener("change", () => {
      void this.config.change(changes(this.settings, withFamily(this.settings, familyChoice.value as FamilyName)));
    });
    const dataset = this.part<HTMLSelectElement>("dataset");
    dataset.replaceChildren(...datasetOptions(this.genlab().datasets()));
    dataset.addEventListener("change", () => {
      if (dataset.value === CUSTOM_DATA) return;
      const patch = changes(this.settings, withDataset(this.settings, dataset.value as NamedDataset));
      if (this.ownData.custom !== null && Object.keys(patch).length === 0) return void this.config.leaveCustomData();
      this.ownData.forget();
      void this.config.change(patch);
    });
    for (const { name } of SHARED) {
      const input = this.part<HTMLInputElement>(name);
      input.addEventListener("change", () => void this.config.change({ shared: { [name]: Number(input.value) } }));
    }
    this.trainButton.addEventListener("click", () => this.togglePlay());
    this.part("reset").addEventListener("click", () => {
      this.events.onReset(this);
      void this.reset();
    });
    this.part("step-once").addEventListener("click", () => void this.model.stepPaused((lab) => this.player.step(lab)));
    const slow = this.part<HTMLInputElement>("slow-motion");
    slow.addEventListener("change", () => (this.player.slowMotion = slow.checked));
    this.bindFiles();
    this.config.show();
  }

  /** The save and load buttons (plots, divergences, weights). */
  private bindFiles(): void {
    new LabFiles(this.part.bind(this), this.genlab, {
      settings: () => this.settings,
      shownStep: () => this.part("step").textContent ?? "0",
      shownCanvases: () =>
        PLOT_CANVASES[this.images ? "images" : "points"].map((role) => this.part<HTMLCanvasElement>(role)).filter((c) => c.closest("[hidden]") === null),
      divergencesCsv: () => this.plots.history.csv(),
      builtLab: () => this.model.builtLab(),
      rebuildWith: async (settings) => {
        this.ownData.forget();
        return (await this.config.rebuildAs(settings)) ? this.lab : null;
      },
      loaded: async (step) => {
        if (this.lab === null) return;
        this.part("step").textContent = String(step);
        await this.redraw(this.lab);
        this.events.onChange();
      },
      say: (text) => this.say(text),
    });
  }

  /** The user's own data: drawn on the data plot, pasted, or from a CSV file. */
  private bindOwnData(drawing: EncodedDrawing | undefined): OwnData {
    return new OwnData(
      this.part.bind(this),
      this.root,
      {
        images: () => this.images,
        reset: () => this.reset(),
        changed: () => this.events.onChange(),
        say: (text) => this.say(text),
        plot: {
          window: () => this.plots.context?.bounds ?? this.datasetBounds(),
          shownData: () => this.plots.context?.data ?? null,
          show: (points, window, brush) => this.plots.showDrawing(points, window, brush),
          started: () => this.setPlaying(false),
          ended: () => this.plots.showLatest(),
        },
      },
      drawing,
    );
  }

  /** Builds a fresh model from the state; false (with the reason shown) if it was rejected. */
  reset(): Promise<boolean> {
    return this.model.reset();
  }

  /** Creates the model of the current state (and the user's data) on the page's engine; throws if it was rejected. */
  private async createLab(): Promise<Lab> {
    const options = labOptions(this.settings);
    const engine = this.engine();
    const custom = this.ownData.custom;
    const lab = await engine.create(family(this.settings.family).class, custom === null ? options : { ...options, dataset: custom });
    this.player.inWorker = engine instanceof WorkerEngine;
    this.player.evaluationSamples = this.images ? IMAGE_EVALUATION_SAMPLES : POINT_EVALUATION_SAMPLES;
    return lab;
  }

  /** Shows a model just built: its data, cleared readouts, its actions and views, one evaluation; then trains if `wasPlaying`. */
  private async showLab(lab: Lab, wasPlaying: boolean): Promise<void> {
    this.customLabel = this.ownData.custom === null ? null : lab.info.dataName;
    this.config.show();
    this.say("");
    this.plots.clear();
    this.actions.show(lab);
    const views = lab.info.views;
    this.views.setViews(views, family(this.settings.family).stage);
    this.part("view-figure").hidden = views.length === 0;
    try {
      await this.redraw(lab);
    } catch (error) {
      this.model.fail(error);
    }
    this.setPlaying(wasPlaying);
  }

  /** An evaluation, then the view. */
  private async redraw(lab: Lab): Promise<void> {
    await this.player.evaluate(lab);
    await this.refreshView(lab);
  }

  /** Hides the controls a lesson link names (and shows the others). */
  setHidden(hide: readonly Hideable[]): void {
    this.hide = hideControls(this.root, hide);
  }

  /** The controls hidden by a lesson link. */
  get hidden(): Hideable[] {
    return [...this.hide];
  }

  /** The lab's settings. */
  get settings(): LabState {
    return this.config.current;
  }

  /** The lab as a notebook cell: its settings, the controls a lesson link hides, its drawing. */
  toCell(): Extract<Cell, { kind: "lab" }> {
    const drawing = this.ownData.drawing;
    return { kind: "lab", lab: this.settings, hide: this.hidden, ...(drawing === undefined ? {} : { drawing }) };
  }

  /** Whether the model has been built. */
  get active(): boolean {
    return this.lab !== null;
  }

  /** Builds the model if it has not been built yet (a cell builds it when first seen). */
  activate(): Promise<void> {
    return this.model.activate();
  }

  /** Rebuilds the model from its last snapshot, paused (see `LabModel.restart`). */
  restart(why: string): Promise<number | null> {
    return this.model.restart(why);
  }

  /** Takes the notebook's backend choice (the caller rebuilds the lab with `reset`). */
  setBackend(backend: LabState["backend"]): void {
    this.config.setBackend(backend);
  }

  /** Whether it is training now. */
  get playing(): boolean {
    return this.player.playing;
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
    this.model.dispose();
  }

  /** The element of this cell with `data-role="role"`. */
  private part<T extends HTMLElement = HTMLElement>(role: string): T {
    const found = this.root.querySelector<T>(`[data-role="${role}"]`);
    if (found === null) throw new Error(`the lab template lacks ${role}`);
    return found;
  }

  private togglePlay(): void {
    if (this.lab === null || !this.player.playing) {
      this.play();
      return;
    }
    this.setPlaying(false);
    void this.showPausedModel();
  }

  /**
   * Once the last slice is in, one evaluation and the view of the paused model: the panel then
   * describes the model the page shows as paused, not the one of the last scheduled evaluation.
   * The cell is `aria-busy` until that view is drawn.
   */
  private async showPausedModel(): Promise<void> {
    this.root.setAttribute("aria-busy", "true");
    try {
      await this.player.settled();
      await this.model.stepPaused(async () => undefined);
    } finally {
      this.root.removeAttribute("aria-busy");
    }
  }

  private setPlaying(playing: boolean): void {
    if (playing && this.ownData.panel.active) this.ownData.panel.close();
    if (playing && this.lab !== null) {
      this.events.onPlay(this);
      this.player.start(this.lab);
    } else {
      this.player.stop();
    }
    this.trainButton.textContent = this.player.playing ? "Pause" : "Train";
    this.plots.replay.setPlaying(this.player.playing);
  }
}
