// The controls a lab cell builds from data: the datasets to choose from, an input per family
// setting (with its range and help as a tooltip) and a button per fine-grained step of the
// family. Plain DOM, text only.

import type { ActionInfo, DatasetInfo } from "./genlab";
import { IMAGE_DATASETS, type FamilyEntry } from "./families";
import { familyProperty, property, type LabState } from "./state";

/** How the dataset chooser names the image datasets. */
const IMAGE_DATASET_LABELS: Record<string, string> = { digits: "digits (8×8 images)" };

/** The dataset chooser's options: the 2-D sets of `datasets()`, then the image sets. */
export function datasetOptions(sets: readonly DatasetInfo[]): HTMLOptionElement[] {
  return [
    ...sets.map((info) => new Option(info.name.replace(/_/g, " "), info.name)),
    ...IMAGE_DATASETS.map((name) => new Option(IMAGE_DATASET_LABELS[name] ?? name, name)),
  ];
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
