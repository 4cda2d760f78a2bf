// The lesson-link builder: for one lab cell, checkboxes of the controls a teacher's students
// should not see, and the link and `<iframe>` snippet of this page in embed mode with a notebook
// of that cell alone (see `embedding.ts`).

import type { BackendPreference } from "./genlab";
import type { LabCell } from "./lab_cell";
import { toFragment } from "./notebook";
import type { PageElements } from "./page_elements";
import { HIDEABLE, type Hideable } from "./state";

/**
 * Shows the lesson-link builder of `cell` in the page's lesson panel; the link carries the
 * notebook's backend choice as it is when a box changes (`backend()`).
 */
export function showLessonLink(page: PageElements, cell: LabCell, backend: () => BackendPreference): void {
  const boxes = HIDEABLE.map((name) => {
    const label = document.createElement("label");
    const box = document.createElement("input");
    box.type = "checkbox";
    box.value = name;
    box.checked = cell.hidden.includes(name);
    box.addEventListener("change", () => void update());
    label.append(box, ` ${name.replace(/_/g, " ")}`);
    return { label, box };
  });
  page.lessonControls.replaceChildren(...boxes.map((b) => b.label));
  const update = async () => {
    const hide = boxes.filter((b) => b.box.checked).map((b) => b.box.value as Hideable);
    const fragment = await toFragment({ backend: backend(), cells: [{ ...cell.toCell(), hide }] });
    const link = new URL(`${location.pathname}?embed#${fragment}`, location.href).href;
    page.lessonLink.value = link;
    page.embedLink.value = `<iframe src="${link}" width="1000" height="1400" title="GenLab" allow="cross-origin-isolated"></iframe>`;
  };
  page.embed.hidden = false;
  void update();
}
