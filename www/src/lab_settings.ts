// A lab cell's settings: the state its notebook mirrors, the family's controls drawn for it, and
// how a change applies. Sampling-only settings go to the trained model as they are; anything else
// builds a new model, and if that model is rejected the settings before come back. Nothing here
// does math; every user-visible string goes in as text.

import { errorText, type Lab } from "./engine";
import { showFamily, showTrainingData } from "./controls";
import { describeChange, samplingChange, withChange, type LabPatch, type LabState } from "./state";

/** What a lab's settings need from their cell. */
export interface LabSettingsHost {
  /** The cell's element. */
  readonly root: HTMLElement;
  /** The element of the cell with `data-role="role"`. */
  part<T extends HTMLElement = HTMLElement>(role: string): T;
  /** The trained model, or null before it was built. */
  lab(): Lab | null;
  /** The model build under way, if any. */
  building(): Promise<unknown> | null;
  /** Builds a fresh model from the settings; false (with the reason shown) if it was rejected. */
  reset(): Promise<boolean>;
  /** Whether the lab trains now. */
  playing(): boolean;
  /** An evaluation of the model, then its view. */
  redraw(lab: Lab): Promise<void>;
  /** What the lab trains on when it is the user's own data (e.g. "your 120 points"), else null. */
  customLabel(): string | null;
  /** Forgets the user's own data: the named dataset of the settings replaces it. */
  forgetOwnData(): void;
  /** Shows a message (plain text) under the controls. */
  say(text: string): void;
  /** The settings changed: the notebook mirrors them. */
  changed(): void;
}

/** One lab cell's settings (see the top of this file). */
export class LabSettings {
  constructor(
    private state: LabState,
    private readonly host: LabSettingsHost,
  ) {}

  /** The settings as they are now. */
  get current(): LabState {
    return this.state;
  }

  /** Takes the notebook's backend choice (the caller rebuilds the lab). */
  setBackend(backend: LabState["backend"]): void {
    this.state = { ...this.state, backend };
  }

  /** Shows the family, its data and settings (see `showFamily` in controls.ts). */
  show(): void {
    showFamily(this.host.part.bind(this.host), this.host.root, this.state, (patch) => void this.change(patch));
    showTrainingData(this.host.part<HTMLSelectElement>("dataset"), this.host.customLabel(), this.state.dataset);
  }

  /**
   * A settings change: sampling-only settings go to the trained model as they are; anything
   * else needs a new model, so it is applied, said, and the lab rebuilt.
   */
  async change(patch: LabPatch): Promise<void> {
    while (this.host.building() !== null) await this.host.building();
    const lab = this.host.lab();
    const sampling = samplingChange(this.state.family, patch);
    if (lab !== null && sampling !== null) {
      try {
        await lab.setSampling(sampling);
      } catch (error) {
        this.host.say(errorText(error));
        this.show();
        return;
      }
      this.state = withChange(this.state, patch);
      this.host.changed();
      this.host.say(`${Object.keys(sampling).join(", ")} changed: the trained model is kept.`);
      // The model shown now: a restart during the await replaces the one changed.
      const shown = this.host.lab();
      if (!this.host.playing() && shown !== null) await this.host.redraw(shown);
      return;
    }
    if (!(await this.rebuildAs(withChange(this.state, patch)))) return;
    this.host.changed();
    this.host.say(`${describeChange(patch)}: the model was reset.`);
  }

  /** Takes `settings` and builds a fresh model for them; if it is rejected (said), the settings before come back. */
  async rebuildAs(settings: LabState): Promise<boolean> {
    const previous = this.state;
    this.state = settings;
    this.show();
    if (await this.host.reset()) return true;
    this.state = previous;
    this.show();
    return false;
  }

  /** Back from the user's own data to the dataset of the settings (the one it replaced). */
  async leaveCustomData(): Promise<void> {
    this.host.forgetOwnData();
    if (await this.host.reset()) this.host.say(`Back to ${this.state.dataset.replace(/_/g, " ")}: the model was reset.`);
    else this.show();
  }
}
