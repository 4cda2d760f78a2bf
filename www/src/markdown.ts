// Markdown with math for text cells: marked parses it, KaTeX renders `$…$` and `$$…$$` as MathML
// (no inline styles, so the page's CSP holds), and DOMPurify sanitises the result before it
// reaches the DOM. Nothing a notebook's author writes can run: scripts, event handlers and
// `javascript:` URLs are removed.

import DOMPurify from "dompurify";
import katex from "katex";
import { Marked, type TokenizerAndRendererExtension } from "marked";

function math(name: string, level: "block" | "inline", pattern: RegExp, displayMode: boolean): TokenizerAndRendererExtension {
  const opening = displayMode ? "$$" : "$";
  return {
    name,
    level,
    start: (source: string) => source.indexOf(opening),
    tokenizer(source: string) {
      const match = pattern.exec(source);
      return match === null ? undefined : { type: name, raw: match[0], text: match[1].trim() };
    },
    renderer: (token) =>
      katex.renderToString(String(token.text), { displayMode, output: "mathml", throwOnError: false }),
  };
}

const markdown = new Marked({
  gfm: true,
  extensions: [
    math("blockMath", "block", /^\$\$([\s\S]+?)\$\$(?:\n|$)/, true),
    math("inlineMath", "inline", /^\$([^$\n]+?)\$/, false),
  ],
});

/** Links open in a new tab without access to this page. */
DOMPurify.addHook("afterSanitizeAttributes", (node) => {
  if (node.tagName === "A") {
    node.setAttribute("target", "_blank");
    node.setAttribute("rel", "noopener noreferrer");
  }
});

/** Sanitised HTML for Markdown `text` (with math). */
export function renderMarkdown(text: string): string {
  const html = markdown.parse(text, { async: false });
  return DOMPurify.sanitize(html, {
    USE_PROFILES: { html: true, mathMl: true },
    FORBID_TAGS: ["style", "form", "input", "button", "textarea", "select", "iframe", "object", "embed"],
    FORBID_ATTR: ["style"],
  });
}
