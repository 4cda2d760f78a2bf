// Flow matching's own buttons: Reflow (train from now on on pairs (z, ODE(z)) of the current
// model, which straightens its paths) and Measure straightness. Hidden for other families.

import { errorText, type Lab } from "./engine";
import type { FamilyName } from "./families";

/** Model samples behind one straightness measurement. */
const STRAIGHTNESS_PATHS = 2000;

/** What the flow buttons need of their lab cell. */
export interface FlowActionsHost {
  /** The lab, built first if needed; null when it could not be built. */
  builtLab(): Promise<Lab | null>;
  /** The lab if built. */
  lab(): Lab | null;
  /** Whether the lab is training. */
  playing(): boolean;
  /** Starts or stops training. */
  setPlaying(playing: boolean): void;
  say(text: string): void;
}

/** The Reflow and Measure straightness buttons of one lab cell. */
export class FlowActions {
  constructor(
    private readonly part: <T extends HTMLElement = HTMLElement>(role: string) => T,
    private readonly host: FlowActionsHost,
  ) {
    part("reflow").addEventListener("click", () => void this.reflow());
    part("measure-straightness").addEventListener("click", () => void this.measureStraightness());
  }

  /** Shows the buttons only for flow matching, and forgets the last measurement. */
  show(family: FamilyName): void {
    this.part("flow-actions").hidden = family !== "flow_matching";
    this.part("straightness").textContent = "–";
  }

  /** Retrains from now on on the model's own couplings (rectified flow). */
  private async reflow(): Promise<void> {
    const lab = await this.host.builtLab();
    if (lab === null) return;
    const wasPlaying = this.host.playing();
    this.host.setPlaying(false);
    try {
      const count = await lab.reflow();
      this.host.say(`Reflow ${count}: training now on 8 192 pairs (z, ODE(z)) of the current model.`);
      await this.measureStraightness();
    } catch (error) {
      this.host.say(errorText(error));
    }
    this.host.setPlaying(wasPlaying);
  }

  private async measureStraightness(): Promise<void> {
    const lab = this.host.lab();
    if (lab === null || this.host.playing()) {
      this.host.say("Pause training to measure the straightness.");
      return;
    }
    const value = await lab.straightness(STRAIGHTNESS_PATHS);
    this.part("straightness").textContent = value.toFixed(4);
  }
}
