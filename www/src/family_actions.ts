// A family's own actions in a lab cell (one discriminator step, a reflow, a measurement): a button
// each, run with training paused; a training step shows its statistics like a slice, any other
// action says what it reports. Every user-visible string goes in as text.

import type { Lab } from "./engine";
import type { ActionInfo, TrainReport } from "./genlab";

/** What the actions need from their lab cell. */
export interface ActionHost {
  /** The element of the cell with `data-role="role"`. */
  part<T extends HTMLElement = HTMLElement>(role: string): T;
  /** Whether the cell is training now. */
  playing(): boolean;
  /** Starts or stops training. */
  setPlaying(playing: boolean): void;
  /** Runs `work` on the model while it is paused, then redraws it (see `LabModel.stepPaused`). */
  stepPaused(work: (lab: Lab) => Promise<void>): Promise<void>;
  /** Shows a training step's report like a slice's. */
  trained(report: TrainReport): void;
}

/** The family's action buttons of one lab cell (see the top of this file). */
export class FamilyActions {
  constructor(private readonly host: ActionHost) {}

  /** Buttons for the actions of `lab`'s family, with no result shown yet. */
  show(lab: Lab): void {
    this.host.part("action-result").textContent = "";
    this.host.part("actions").replaceChildren(...actionButtons(lab.info.actions, (action) => void this.run(action)));
  }

  private async run(action: ActionInfo): Promise<void> {
    const wasPlaying = this.host.playing();
    this.host.setPlaying(false);
    await this.host.stepPaused(async (lab) => {
      const report = await lab.act(action.name);
      if (action.trains) this.host.trained(report);
      else this.host.part("action-result").textContent = actionResult(action, report);
    });
    this.host.setPlaying(wasPlaying);
  }
}

/** What an action that is not a training step reported, e.g. "Reflow: reflows 1, straightness 0.0123". */
export function actionResult(action: ActionInfo, report: TrainReport): string {
  const stats = Object.entries(report.stats).map(([name, value]) => `${name.replace(/_/g, " ")} ${value.toPrecision(4)}`);
  return `${action.title}: ${stats.join(", ")}`;
}

/** A button per action of the family (title as label, description as tooltip). */
export function actionButtons(actions: ActionInfo[], onClick: (action: ActionInfo) => void): HTMLButtonElement[] {
  return actions.map((action) => {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = action.title;
    button.title = action.description;
    button.dataset.action = action.name;
    button.addEventListener("click", () => onClick(action));
    return button;
  });
}
