import { A } from "@solidjs/router";

export function ThreadMissing() {
  return (
    <section class="placeholder-page" aria-labelledby="missing-heading">
      <h1 id="missing-heading">Thread not found</h1>
      <p class="muted">It may have been deleted, or it belongs to someone else.</p>
      <A href="/" class="button">
        Back to your threads
      </A>
    </section>
  );
}
