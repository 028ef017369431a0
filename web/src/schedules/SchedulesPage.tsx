import { A } from "@solidjs/router";
import { createSignal, For, Match, Show, Switch } from "solid-js";
import { errorMessage } from "../api/client";
import { useThreads } from "../threads/thread-queries";
import {
  browserZone,
  runLabel,
  type Schedule,
  slotLabel,
  useCreateSchedule,
  useDeleteSchedule,
  useScheduleRuns,
  useSchedules,
  useSetPaused,
} from "./schedule-queries";
import "./schedules.css";

/** Route `/schedules`: prompts the agent runs on its own, at a cron's slots or once; times in the reader's zone. */
export default function SchedulesPage() {
  const schedules = useSchedules();
  // Here, not in the row: a refetched schedule is a new object, and <For> renders a new row for it.
  const [openRuns, setOpenRuns] = createSignal<ReadonlySet<string>>(new Set());
  const toggleRuns = (id: string) =>
    setOpenRuns((open) => {
      const next = new Set(open);
      if (!next.delete(id)) next.add(id);
      return next;
    });
  return (
    <section class="schedules-page page" aria-labelledby="schedules-heading">
      <header class="page-head">
        <h1 id="schedules-heading">Schedules</h1>
        <p class="muted">
          Your agent runs these prompts on its own. Times are shown in your zone ({browserZone()}); each run
          uses tokens like a message you send.
        </p>
      </header>
      <NewScheduleForm />
      <Switch>
        <Match when={schedules.isPending}>
          <p class="placeholder muted" role="status">
            Loading schedules…
          </p>
        </Match>
        <Match when={schedules.isError && !schedules.data}>
          <p class="error" role="alert">
            Could not load your schedules: {errorMessage(schedules.error)}
          </p>
        </Match>
        <Match when={schedules.data}>
          {(list) => (
            <Show
              when={list().length > 0}
              fallback={
                <p class="placeholder empty card" data-testid="schedules-empty">
                  No schedules yet.
                </p>
              }
            >
              <ul class="schedule-list" aria-label="Your schedules" data-testid="schedule-list">
                <For each={list()}>
                  {(schedule) => (
                    <ScheduleRow
                      schedule={schedule}
                      runsOpen={openRuns().has(schedule.id)}
                      onToggleRuns={() => toggleRuns(schedule.id)}
                    />
                  )}
                </For>
              </ul>
            </Show>
          )}
        </Match>
      </Switch>
    </section>
  );
}

function NewScheduleForm() {
  const create = useCreateSchedule();
  const threads = useThreads();
  const [kind, setKind] = createSignal<"cron" | "once">("cron");
  const onSubmit = (event: SubmitEvent) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const text = (name: string) => String(form.get(name) ?? "").trim();
    const local = text("runAt");
    create.mutate(
      {
        title: text("title") || undefined,
        prompt: text("prompt"),
        timeZone: text("timeZone"),
        missedPolicy: text("missedPolicy") === "skip" ? "skip" : "run_once",
        threadId: text("threadId") || null,
        // A datetime-local value is wall time in the reader's zone, which is what `new Date` reads it as.
        ...(kind() === "cron" ? { cron: text("cron") } : { runAt: new Date(local).toISOString() }),
      },
      {
        // Not form.reset(): the zone and the cron keep what was typed, for the next one.
        onSuccess: () => {
          for (const name of ["prompt", "title"]) {
            const field = (event.target as HTMLFormElement).elements.namedItem(name);
            if (field instanceof HTMLInputElement || field instanceof HTMLTextAreaElement) field.value = "";
          }
        },
      },
    );
  };
  return (
    <form
      class="schedule-form card"
      aria-label="New schedule"
      data-testid="schedule-form"
      onSubmit={onSubmit}
    >
      <label>
        Prompt
        <textarea
          name="prompt"
          required
          maxLength={8000}
          rows={2}
          placeholder="Summarise what changed in my notes"
        />
      </label>
      <label>
        Title <input name="title" maxLength={200} placeholder="Morning digest" />
      </label>
      <fieldset>
        <legend>When</legend>
        <label>
          <input type="radio" name="kind" checked={kind() === "cron"} onChange={() => setKind("cron")} />{" "}
          Repeat
        </label>
        <label>
          <input type="radio" name="kind" checked={kind() === "once"} onChange={() => setKind("once")} /> Once
        </label>
        <Show
          when={kind() === "cron"}
          fallback={
            <label>
              At <input name="runAt" type="datetime-local" step={1} required />
            </label>
          }
        >
          <label>
            Cron (minute hour day month weekday)
            <input name="cron" required maxLength={120} value="0 8 * * 1-5" />
          </label>
        </Show>
        <label>
          Time zone <input name="timeZone" required maxLength={64} value={browserZone()} />
        </label>
      </fieldset>
      <label>
        Thread
        <select name="threadId">
          <option value="">A new thread for every run</option>
          <For each={threads.data ?? []}>
            {(t) => <option value={t.id}>{t.title || "Untitled thread"}</option>}
          </For>
        </select>
      </label>
      <label>
        If a time is missed while the service is down
        <select name="missedPolicy">
          <option value="run_once">run it once when back</option>
          <option value="skip">skip it</option>
        </select>
      </label>
      <button type="submit" class="button" disabled={create.isPending}>
        {create.isPending ? "Saving…" : "Add schedule"}
      </button>
      <Show when={create.error}>
        {(error) => (
          <p class="error small" role="alert" data-testid="schedule-form-error">
            {errorMessage(error())}
          </p>
        )}
      </Show>
    </form>
  );
}

function ScheduleRow(props: { schedule: Schedule; runsOpen: boolean; onToggleRuns: () => void }) {
  const pause = useSetPaused();
  const remove = useDeleteSchedule();
  const open = () => props.runsOpen;
  const runs = useScheduleRuns(() => props.schedule, open);
  const s = () => props.schedule;
  return (
    <li class="schedule-row card" data-testid="schedule-row" data-id={s().id} data-status={s().status}>
      <div class="schedule-row-head">
        <strong>{s().title || s().prompt}</strong>
        <span class="muted small">
          {s().kind === "cron" ? `${s().cron} (${s().timeZone})` : `once (${s().timeZone})`} · {s().status}
        </span>
      </div>
      <Show when={s().upcoming.length > 0} fallback={<p class="muted small">No upcoming runs.</p>}>
        <p class="small">
          Next:{" "}
          <span data-testid="schedule-next">
            {s()
              .upcoming.slice(0, 3)
              .map((slot) => slotLabel(slot))
              .join(" · ")}
          </span>
        </p>
      </Show>
      <div class="schedule-row-actions">
        <Show when={s().status !== "done"}>
          <button
            type="button"
            class="button small"
            disabled={pause.isPending}
            onClick={() => pause.mutate({ id: s().id, paused: s().status === "active" })}
          >
            {s().status === "active" ? "Pause" : "Resume"}
          </button>
        </Show>
        <button type="button" class="button small danger" onClick={() => remove.mutate(s().id)}>
          Delete
        </button>
        <Show when={s().threadId}>{(id) => <A href={`/threads/${id()}`}>Open thread</A>}</Show>
      </div>
      <button
        type="button"
        class="button small subtle"
        aria-expanded={open()}
        aria-controls={`runs-${s().id}`}
        onClick={() => props.onToggleRuns()}
      >
        Runs
      </button>
      <Show when={open()}>
        <div id={`runs-${s().id}`}>
          <Show when={runs.data} fallback={<p class="muted small">Loading…</p>}>
            {(list) => (
              <Show when={list().length > 0} fallback={<p class="muted small">No runs yet.</p>}>
                <ul class="schedule-runs" data-testid="schedule-runs">
                  <For each={list()}>
                    {(run) => (
                      <li data-status={run.status}>
                        {slotLabel(run.slotAt)} · {runLabel(run.status)}
                        <Show when={run.tokens !== null}> · {run.tokens} tokens</Show>
                        <Show when={run.errorMessage}> · {run.errorMessage}</Show>
                        <Show when={run.threadId}>
                          {(id) => (
                            <>
                              {" "}
                              · <A href={`/threads/${id()}`}>thread</A>
                            </>
                          )}
                        </Show>
                      </li>
                    )}
                  </For>
                </ul>
              </Show>
            )}
          </Show>
        </div>
      </Show>
    </li>
  );
}
