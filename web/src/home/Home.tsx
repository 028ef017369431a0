import { Show } from "solid-js";
import { errorMessage } from "../api/client";
import { useStartThread, useThreads } from "../threads/thread-queries";

/** Route `/`: what to do next, with a button to start a thread. */
export default function Home() {
  const threads = useThreads();
  const { create, start } = useStartThread();
  return (
    <section class="placeholder-page" aria-labelledby="home-heading">
      <h1 id="home-heading">Your Grow Agent</h1>
      <p class="muted">
        Chat with your private agent. It remembers in your own git repository and works in your own sandbox.
      </p>
      <Show
        when={(threads.data?.length ?? 0) > 0}
        fallback={<p>{threads.isPending ? "Loading your threads…" : "You have no threads yet."}</p>}
      >
        <p>Pick a thread from the list, or start a new one.</p>
      </Show>
      <button type="button" class="button primary" onClick={start} disabled={create.isPending}>
        {create.isPending ? "Starting…" : "Start a new thread"}
      </button>
      {create.error && (
        <p role="alert" class="error">
          {errorMessage(create.error)}
        </p>
      )}
    </section>
  );
}
