// A text cell: Markdown with math, rendered through the sanitiser, edited in place.

import { renderMarkdown } from "./markdown";
import { LIMITS } from "./notebook";

/** A Markdown cell. */
export class TextCell {
  private readonly rendered: HTMLElement;
  private readonly editor: HTMLTextAreaElement;
  private readonly button: HTMLButtonElement;

  constructor(
    /** The cell's element, cloned from the page's text template. */
    readonly root: HTMLElement,
    private source: string,
    /** Called when the text changes. */
    private readonly onChange: () => void,
  ) {
    this.rendered = this.part("rendered");
    this.editor = this.part<HTMLTextAreaElement>("editor");
    this.button = this.part<HTMLButtonElement>("edit");
    this.editor.maxLength = LIMITS.textChars;
    this.button.addEventListener("click", () => this.toggle());
    this.render();
  }

  /** The Markdown source. */
  get text(): string {
    return this.source;
  }

  private part<T extends HTMLElement = HTMLElement>(role: string): T {
    const found = this.root.querySelector<T>(`[data-role="${role}"]`);
    if (found === null) throw new Error(`the text template lacks ${role}`);
    return found;
  }

  private render(): void {
    this.rendered.innerHTML = renderMarkdown(this.source);
  }

  private toggle(): void {
    const editing = !this.editor.hidden;
    if (editing) {
      this.source = this.editor.value;
      this.render();
      this.onChange();
    } else {
      this.editor.value = this.source;
    }
    this.editor.hidden = editing;
    this.rendered.hidden = !editing;
    this.button.textContent = editing ? "Edit" : "Done";
  }
}
