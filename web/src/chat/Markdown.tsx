import DOMPurify from "dompurify";
import { Marked } from "marked";
import { createEffect, createMemo, on } from "solid-js";

const marked = new Marked({ gfm: true, breaks: true, async: false });

// Links leave the app in a new tab, without handing it a reference back.
DOMPurify.addHook("afterSanitizeAttributes", (node) => {
  if (node.tagName === "A" && node.getAttribute("href")) {
    node.setAttribute("target", "_blank");
    node.setAttribute("rel", "noopener noreferrer nofollow");
  }
});

/** Markdown → sanitised HTML (no scripts, handlers, iframes, forms or styles survive). */
export function renderMarkdown(text: string): string {
  const html = marked.parse(text) as string;
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
 * removes buttons from the model's text; these are the app's own).
 */
export function Markdown(props: { text: string; class?: string }) {
  const html = createMemo(() => renderMarkdown(props.text));
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
