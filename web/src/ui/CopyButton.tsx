import { createSignal, onCleanup } from "solid-js";

/** Copies `text()` to the clipboard; says "Copied" for a moment (or "Copy failed" when the browser refuses). */
export function CopyButton(props: { text: () => string; label: string; testId?: string }) {
  const [state, setState] = createSignal<"idle" | "copied" | "failed">("idle");
  let reset: ReturnType<typeof setTimeout> | undefined;
  onCleanup(() => clearTimeout(reset));
  const copy = async () => {
    const ok = await navigator.clipboard.writeText(props.text()).then(
      () => true,
      () => false,
    );
    setState(ok ? "copied" : "failed");
    clearTimeout(reset);
    reset = setTimeout(() => setState("idle"), 2_000);
  };
  return (
    <button
      type="button"
      class="copy-button"
      aria-label={state() === "idle" ? props.label : undefined}
      data-testid={props.testId}
      onClick={() => void copy()}
    >
      {state() === "copied" ? "Copied" : state() === "failed" ? "Copy failed" : "Copy"}
    </button>
  );
}
