// The controls a lab cell builds from data: the datasets to choose from, the family's title and
// settings, an input per family setting (with its range and help as a tooltip) and a button per
// fine-grained step of the family. Plain DOM, text only.

import type { ActionInfo, DatasetInfo } from "./genlab";
import { IMAGE_DATASETS, dataKindOf, familiesFor, family, type FamilyEntry } from "./families";
import { HIDEABLE, familyProperty, property, type Hideable, type LabState } from "./state";

/** The numeric settings every family shares, each with its input in the lab template. */
export const SHARED_NUMBERS = ["learning_rate", "batch_size", "seed"] as const;

/**
 * Shows `state` in a lab cell (`part` finds its elements by role): the family's title and lede,
 * the families that learn its kind of data, its dataset and shared settings, its statistic, and
 * the controls of the family's own settings, with tooltips (`onChange` gets each new value).
 */
export function showFamily(
  part: <T extends HTMLElement = HTMLElement>(role: string) => T,
  root: HTMLElement,
  state: LabState,
  onChange: (patch: Partial<LabState>) => void,
): void {
  const entry = family(state.family);
  const kind = dataKindOf(state.dataset);
  const familyChoice = part<HTMLSelectElement>("family");
  familyChoice.replaceChildren(...familiesFor(kind).map((f) => new Option(f.label, f.name)));
  familyChoice.value = entry.name;
  part<HTMLSelectElement>("dataset").value = state.dataset;
  root.classList.toggle("image-lab", kind === "images");
  part("family-title").textContent = entry.label;
  part("family-lede").textContent = entry.lede;
  for (const name of SHARED_NUMBERS) part<HTMLInputElement>(name).value = String(state[name]);
  part("loss-label").textContent = entry.stat;
  part("family-controls").replaceChildren(...settingControls(entry, state, onChange));
}

/** The dataset chooser's value for the user's own data (never a dataset's name). */
export const CUSTOM_DATA = "custom";

/**
 * Shows in the dataset chooser what a lab trains on: the user's own data as an extra entry
 * named `label` (e.g. "your 120 points"), selected; with `label` null the entry goes and the
 * chooser shows `dataset` again.
 */
export function showTrainingData(chooser: HTMLSelectElement, label: string | null, dataset: string): void {
  chooser.querySelector(`option[value="${CUSTOM_DATA}"]`)?.remove();
  if (label === null) {
    chooser.value = dataset;
    return;
  }
  chooser.prepend(new Option(label, CUSTOM_DATA));
  chooser.value = CUSTOM_DATA;
}

/** How the dataset chooser names the image datasets. */
const IMAGE_DATASET_LABELS: Record<string, string> = { digits: "digits (8×8 images)" };

/** The dataset chooser's options: the 2-D sets of `datasets()`, then the image sets. */
export function datasetOptions(sets: readonly DatasetInfo[]): HTMLOptionElement[] {
  return [
    ...sets.map((info) => new Option(info.name.replace(/_/g, " "), info.name)),
    ...IMAGE_DATASETS.map((name) => new Option(IMAGE_DATASET_LABELS[name] ?? name, name)),
  ];
}

/** Hides the controls of a lab cell that a lesson link names (shows the others); the known ones. */
export function hideControls(root: HTMLElement, hide: readonly Hideable[]): Hideable[] {
  const hidden = HIDEABLE.filter((name) => hide.includes(name));
  for (const element of root.querySelectorAll<HTMLElement>("[data-control]")) {
    element.hidden = hidden.includes(element.dataset.control as Hideable);
  }
  return hidden;
}

/** While a model is built, disables the controls of a lab cell that act on a model. */
export function setBusy(part: <T extends HTMLElement = HTMLElement>(role: string) => T, root: HTMLElement, busy: boolean): void {
  for (const role of ["train", "step-once", "reflow", "measure-straightness", "export-weights"]) {
    part<HTMLButtonElement>(role).disabled = busy;
  }
  for (const button of part("actions").querySelectorAll("button")) button.disabled = busy;
  root.dataset.busy = String(busy);
}

/** A labelled input per setting of `entry`, showing `state`; `onChange` gets each new value. */
export function settingControls(
  entry: FamilyEntry,
  state: LabState,
  onChange: (patch: Partial<LabState>) => void,
): HTMLLabelElement[] {
  return entry.options.map((name) => {
    const spec = familyProperty(entry, property(name));
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
    input.value = String(state[name]);
    input.addEventListener("change", () => {
      const value = spec.kind === "choice" ? input.value : Number(input.value);
      onChange({ [name]: value } as Partial<LabState>);
    });
    label.append(input);
    return label;
  });
}

/** A button per fine-grained step (title as label, description as tooltip). */
export function actionButtons(actions: ActionInfo[], onClick: (name: string) => void): HTMLButtonElement[] {
  return actions.map((action) => {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = action.title;
    button.title = action.description;
    button.dataset.action = action.name;
    button.addEventListener("click", () => onClick(action.name));
    return button;
  });
}
