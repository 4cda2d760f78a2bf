// Markdown with math for text cells: marked parses it, KaTeX renders `$…$` and `$$…$$` as MathML
// (no inline styles, so the page's CSP holds), and DOMPurify sanitises the result before it
// reaches the DOM. Nothing a notebook's author writes can run: scripts, event handlers and
// `javascript:` URLs are removed. Nor can it reach, shadow or imitate the page's own elements:
// ids and names are namespaced (`user-content-…`), attributes that point at ids by name, `data-*`
// attributes and classes other than KaTeX's and code blocks' are dropped, and inert containers
// (`<template>` and its kin), whose content the page would never sanitise again, are removed.

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

/** Classes user HTML may keep: KaTeX's own and marked's code-block languages. */
const OWN_CLASS = /^(katex[\w-]*|language-[\w+#.-]+)$/;

/** Keeps only the classes of [`OWN_CLASS`], so user HTML cannot borrow the page's styling. */
DOMPurify.addHook("uponSanitizeAttribute", (_node, data) => {
  if (data.attrName === "class") {
    data.attrValue = data.attrValue.split(/\s+/).filter((name) => OWN_CLASS.test(name)).join(" ");
    if (data.attrValue === "") data.keepAttr = false;
  }
});

const SANITIZE = {
  USE_PROFILES: { html: true, mathMl: true },
  FORBID_TAGS: [
    "style", "form", "input", "button", "textarea", "select", "iframe", "object", "embed",
    "template", "slot", "noscript", "noembed", "noframes", "xmp", "plaintext", "dialog",
  ],
  // Attributes that refer to elements by id, or would float content over the page.
  FORBID_ATTR: [
    "style", "for", "form", "list", "headers", "usemap", "popover", "popovertarget", "anchor",
    "aria-labelledby", "aria-describedby", "aria-controls", "aria-owns", "aria-activedescendant",
    "aria-details", "aria-errormessage", "aria-flowto",
  ],
  ALLOW_DATA_ATTR: false,
  SANITIZE_NAMED_PROPS: true,
};

/** Sanitised HTML for Markdown `text` (with math). */
export function renderMarkdown(text: string): string {
  return DOMPurify.sanitize(markdown.parse(text, { async: false }), SANITIZE);
}
