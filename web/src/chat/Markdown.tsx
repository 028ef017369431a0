import DOMPurify from "dompurify";
import { Marked } from "marked";
import { createEffect, createMemo, on } from "solid-js";
import { type HighlightCode, highlighterFor } from "./code-highlight";

const OPTIONS = { gfm: true, breaks: true, async: false } as const;
const plain = new Marked(OPTIONS);

/**
 * A second parser whose fenced code blocks with a known language come out highlighted; made once the highlighter
 * has loaded. Its HTML goes through the same sanitiser as the plain one's.
 */
let highlighting: { highlight: HighlightCode; marked: Marked } | undefined;
function markedWith(highlight: HighlightCode): Marked {
  if (highlighting?.highlight !== highlight) {
    const marked = new Marked(OPTIONS, {
      renderer: {
        code({ text, lang }) {
          const language = /^\S+/.exec(lang ?? "")?.[0];
          const html = language ? highlight(text, language) : undefined;
          // false: marked's own rendering (plain, escaped) for untagged or unknown languages.
          if (html === undefined) return false;
          // `language` is a name highlight.js knows (it answered), so it is plain word characters.
          return `<pre><code class="hljs language-${language}">${html}\n</code></pre>\n`;
        },
      },
    });
    highlighting = { highlight, marked };
  }
  return highlighting.marked;
}

// Links leave the app in a new tab, without handing it a reference back.
DOMPurify.addHook("afterSanitizeAttributes", (node) => {
  if (node.tagName === "A" && node.getAttribute("href")) {
    node.setAttribute("target", "_blank");
    node.setAttribute("rel", "noopener noreferrer nofollow");
  }
});

/**
 * Markdown → sanitised HTML (no scripts, handlers, iframes, forms or styles survive). With `highlight`, tagged code
 * blocks carry highlight.js's token spans (classes only, which the sanitiser keeps).
 */
function renderMarkdown(text: string, highlight?: HighlightCode): string {
  const html = (highlight ? markedWith(highlight) : plain).parse(text) as string;
  return DOMPurify.sanitize(html, {
    USE_PROFILES: { html: true },
    FORBID_TAGS: ["style", "form", "input", "button", "iframe", "img"],
    FORBID_ATTR: ["style"],
  });
}

/** Copies a code block's text; the button says how it went for a moment. */
async function copyCode(button: HTMLButtonElement, code: string) {
  const ok = await navigator.clipboard.writeText(code).then(
    () => true,
    () => false,
  );
  button.textContent = ok ? "Copied" : "Copy failed";
  setTimeout(() => {
    button.textContent = "Copy code";
  }, 2_000);
}

/**
 * Rendered markdown. Each code block gets a Copy button, added after the sanitised HTML is in place (the sanitiser
 * removes buttons from the model's text; these are the app's own). Code blocks are plain until the highlighter's
 * chunk has loaded (asked for by the first text with a tagged block), then rendered again highlighted.
 */
export function Markdown(props: { text: string; class?: string }) {
  const html = createMemo(() => renderMarkdown(props.text, highlighterFor(props.text)));
  let container: HTMLDivElement | undefined;
  createEffect(
    on(html, () => {
      for (const pre of container?.querySelectorAll("pre") ?? []) {
        const button = document.createElement("button");
        button.type = "button";
        button.className = "copy-button copy-code";
        button.textContent = "Copy code";
        button.addEventListener("click", () => void copyCode(button, pre.textContent ?? ""));
        pre.before(button);
      }
    }),
  );
  return <div ref={container} class={`markdown ${props.class ?? ""}`} innerHTML={html()} />;
}
