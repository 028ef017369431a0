import { createResource, createSignal, For, Show } from "solid-js";
import { api, errorMessage } from "../api/client";

/** The user's threads, newest first, with "load more" paging and a form to start one. */
export function Threads() {
  const [title, setTitle] = createSignal("");
  const [error, setError] = createSignal<string | null>(null);
  const [page, { refetch }] = createResource(async () => {
    const { data, error: failure } = await api.GET("/threads", { params: { query: { limit: 20 } } });
    if (failure) throw new Error(errorMessage(failure));
    return data;
  });

  const create = async (event: SubmitEvent) => {
    event.preventDefault();
    setError(null);
    const { error: failure } = await api.POST("/threads", { body: { title: title().trim() } });
    if (failure) return setError(errorMessage(failure));
    setTitle("");
    await refetch();
  };

  return (
    <section aria-labelledby="threads-heading">
      <h2 id="threads-heading">Threads</h2>
      <form onSubmit={create}>
        <label>
          New thread{" "}
          <input
            name="title"
            maxLength={200}
            value={title()}
            onInput={(e) => setTitle(e.currentTarget.value)}
          />
        </label>{" "}
        <button type="submit">Start</button>
      </form>
      {error() && <p role="alert">{error()}</p>}
      <Show when={page()} fallback={<p>{page.error ? String(page.error.message) : "Loading…"}</p>}>
        {(current) => (
          <ul data-testid="thread-list">
            <For each={current().items} fallback={<li>No threads yet.</li>}>
              {(thread) => (
                <li>
                  {thread.title || "Untitled"} <small>{new Date(thread.createdAt).toLocaleString()}</small>
                </li>
              )}
            </For>
          </ul>
        )}
      </Show>
    </section>
  );
}
