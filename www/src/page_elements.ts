// The page's own elements and cell templates, looked up once at start-up, before any notebook
// content exists. Nothing a notebook renders later can shadow, replace or duplicate them: the
// page never looks an element up by id again (and user HTML has its ids namespaced besides).

/** Every element of the page's chrome that the notebook code uses. */
export interface PageElements {
  message: HTMLElement;
  backend: HTMLSelectElement;
  backendBadge: HTMLElement;
  engineBadge: HTMLElement;
  addText: HTMLElement;
  addLab: HTMLElement;
  resetLesson: HTMLElement;
  exportJson: HTMLElement;
  importJson: HTMLInputElement;
  embed: HTMLElement;
  lessonControls: HTMLElement;
  lessonLink: HTMLInputElement;
  embedLink: HTMLInputElement;
  cells: HTMLElement;
  /** The cells' templates: the frame with its tools, a text cell, a lab cell. */
  templates: { frame: HTMLElement; text: HTMLElement; lab: HTMLElement };
}

function byId<T extends HTMLElement>(id: string, kind: { new (): T; name: string }): T {
  const found = document.getElementById(id);
  if (!(found instanceof kind)) throw new Error(`the page lacks #${id} (a ${kind.name})`);
  return found;
}

/** The first element of template `id`'s content, detached, to clone for every cell. */
function template(id: string): HTMLElement {
  const root = byId(id, HTMLTemplateElement).content.firstElementChild;
  if (!(root instanceof HTMLElement)) throw new Error(`#${id} is empty`);
  return root;
}

/** Looks up the page's elements; call once, before any notebook content is rendered. */
export function resolvePage(): PageElements {
  return {
    message: byId("message", HTMLElement),
    backend: byId("backend", HTMLSelectElement),
    backendBadge: byId("backend-badge", HTMLElement),
    engineBadge: byId("engine-badge", HTMLElement),
    addText: byId("add-text", HTMLElement),
    addLab: byId("add-lab", HTMLElement),
    resetLesson: byId("reset-lesson", HTMLElement),
    exportJson: byId("export-json", HTMLElement),
    importJson: byId("import-json", HTMLInputElement),
    embed: byId("embed", HTMLElement),
    lessonControls: byId("lesson-controls", HTMLElement),
    lessonLink: byId("lesson-link", HTMLInputElement),
    embedLink: byId("embed-link", HTMLInputElement),
    cells: byId("cells", HTMLElement),
    templates: { frame: template("cell-frame"), text: template("text-cell"), lab: template("lab-cell") },
  };
}

/** A fresh copy of a template root from [`PageElements.templates`]. */
export function instantiate(root: HTMLElement): HTMLElement {
  return root.cloneNode(true) as HTMLElement;
}
