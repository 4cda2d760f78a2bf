// The controls a lab cell builds from data: the datasets to choose from, the family's title and
// settings, an input per setting drawn from the Rust schema (its kind, its range or choices, its
// help as a tooltip); the family's action buttons are in family_actions.ts. Plain DOM, text only.

import type { DatasetInfo } from "./genlab";
import type { SettingSchema, SettingValue } from "./generated/schema";
import { IMAGE_DATASETS, dataKindOf, familiesFor, family, type FamilyEntry } from "./families";
import { HIDEABLE, SHARED, type Hideable, type LabPatch, type LabState } from "./state";

/**
 * Shows `state` in a lab cell (`part` finds its elements by role): the family's title and lede,
 * the families that learn its kind of data, its dataset and shared settings, its statistic, and
 * the controls of the family's own settings, with tooltips (`onChange` gets each new value).
 */
export function showFamily(
  part: <T extends HTMLElement = HTMLElement>(role: string) => T,
  root: HTMLElement,
  state: LabState,
  onChange: (patch: LabPatch) => void,
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
  for (const setting of SHARED) {
    const input = part<HTMLInputElement>(setting.name);
    describe(input, setting);
    input.value = String(state.shared[setting.name]);
  }
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
  for (const role of ["train", "step-once", "export-weights"]) {
    part<HTMLButtonElement>(role).disabled = busy;
  }
  for (const button of part("actions").querySelectorAll("button")) button.disabled = busy;
  root.dataset.busy = String(busy);
}

/** A labelled input per setting of `entry` (in its schema's order) showing `state`; `onChange` gets each new value. */
export function settingControls(entry: FamilyEntry, state: LabState, onChange: (patch: LabPatch) => void): HTMLLabelElement[] {
  return entry.settings.map((setting) => {
    const label = document.createElement("label");
    label.append(setting.name.replace(/_/g, " "));
    const input = setting.kind === "choice" ? document.createElement("select") : document.createElement("input");
    if (input instanceof HTMLSelectElement) {
      input.append(...(setting.choices ?? []).map((c) => new Option(c.replace(/_/g, " "), c)));
    } else {
      input.type = setting.kind === "boolean" ? "checkbox" : "number";
    }
    label.append(input);
    describe(input, setting);
    input.dataset.role = `option-${setting.name}`;
    const value = state.settings[setting.name];
    if (typeof value === "boolean") (input as HTMLInputElement).checked = value;
    else input.value = String(value);
    input.addEventListener("change", () => onChange({ settings: { [setting.name]: inputValue(input, setting) } }));
    return label;
  });
}

/**
 * Gives a setting's input its range (a number's bounds and step) and its label the setting's
 * help as a tooltip, with the range.
 */
function describe(input: HTMLInputElement | HTMLSelectElement, setting: SettingSchema): void {
  const { min, max } = setting;
  const label = input.closest("label");
  if (label !== null) label.title = min !== undefined && max !== undefined ? `${setting.help} (${min} to ${max})` : setting.help;
  if (!(input instanceof HTMLInputElement) || input.type !== "number") return;
  if (min !== undefined) input.min = String(min);
  if (max !== undefined) input.max = String(max);
  input.step = setting.kind === "integer" ? "1" : "any";
}

/** The value an input shows, of its setting's kind. */
function inputValue(input: HTMLInputElement | HTMLSelectElement, setting: SettingSchema): SettingValue {
  if (setting.kind === "choice") return input.value;
  return setting.kind === "boolean" ? (input as HTMLInputElement).checked : Number(input.value);
}
