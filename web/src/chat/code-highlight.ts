import { createSignal } from "solid-js";

export type HighlightCode = (code: string, language: string) => string | undefined;

const [loaded, setLoaded] = createSignal<HighlightCode>();
let requested = false;

/** A fenced code block that names its language (```ts): the only kind highlighted, so the only kind worth loading for. */
const TAGGED_FENCE = /^ {0,3}(`{3,}|~{3,})[ \t]*[\w+#.-]+/m;

const hasTaggedCode = (markdown: string): boolean => TAGGED_FENCE.test(markdown);

/**
 * The highlighter once loaded, else undefined (reactive: a reader renders again when it arrives). Loads it (a lazy
 * chunk, highlighter.ts) on first need; a failed load is tried again by the next reader, and the code stays plain
 * meanwhile.
 */
export function highlighterFor(markdown: string): HighlightCode | undefined {
  const ready = loaded();
  if (ready || !hasTaggedCode(markdown)) return ready;
  if (requested) return undefined;
  requested = true;
  import("./highlighter").then(
    (module) => setLoaded(() => module.highlightCode),
    () => {
      requested = false;
    },
  );
  return undefined;
}
