import DOMPurify from "dompurify";
import { Marked } from "marked";
import { createMemo } from "solid-js";

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

export function Markdown(props: { text: string; class?: string }) {
  const html = createMemo(() => renderMarkdown(props.text));
  return <div class={`markdown ${props.class ?? ""}`} innerHTML={html()} />;
}
