/**
 * Syntax highlighting for code blocks: highlight.js's core and the languages replies use most. Its own chunk,
 * loaded by code-highlight.ts only when a reply has a fenced code block, so the first page load does not pay for it.
 */
import hljs from "highlight.js/lib/core";
import bash from "highlight.js/lib/languages/bash";
import css from "highlight.js/lib/languages/css";
import diff from "highlight.js/lib/languages/diff";
import go from "highlight.js/lib/languages/go";
import javascript from "highlight.js/lib/languages/javascript";
import json from "highlight.js/lib/languages/json";
import markdown from "highlight.js/lib/languages/markdown";
import python from "highlight.js/lib/languages/python";
import rust from "highlight.js/lib/languages/rust";
import sql from "highlight.js/lib/languages/sql";
import typescript from "highlight.js/lib/languages/typescript";
import xml from "highlight.js/lib/languages/xml";
import yaml from "highlight.js/lib/languages/yaml";
// A theme made for WCAG AA contrast on its own near-white background (styles.css gives highlighted blocks that).
import "highlight.js/styles/a11y-light.css";

for (const [name, language] of Object.entries({
  bash,
  css,
  diff,
  go,
  javascript,
  json,
  markdown,
  python,
  rust,
  sql,
  typescript,
  xml,
  yaml,
})) {
  hljs.registerLanguage(name, language);
}
// Names people write after ``` that highlight.js's definitions do not alias themselves.
hljs.registerAliases(["shell", "console"], { languageName: "bash" });

/**
 * `code` as highlighted HTML (text escaped by highlight.js, tokens as `<span class="hljs-…">`), or undefined when
 * `language` is not one of those loaded (the block then stays plain).
 */
export function highlightCode(code: string, language: string): string | undefined {
  if (!hljs.getLanguage(language)) return undefined;
  return hljs.highlight(code, { language, ignoreIllegals: true }).value;
}
