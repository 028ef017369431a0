import createClient from "openapi-fetch";
import { type Accessor, createSignal, onCleanup } from "solid-js";
import type { ThreadEvent } from "../../../contract/events";
import { apiUrl } from "../api/base";
import type { components, paths } from "../api/openapi.gen";

export type SharedThread = components["schemas"]["SharedThread"];

/**
 * No session here: a share link's reader may be signed out, or signed in as someone else, and neither their
 * token nor the app's sign-out on 401 belongs on these calls.
 */
const publicApi = createClient<paths>({ baseUrl: apiUrl("") });

export type SharedState = "loading" | "live" | "reconnecting" | "gone";

/** The thread's title and expiry; null once the link answers 404 (never made, revoked or expired). */
export async function fetchSharedThread(token: string): Promise<SharedThread | null> {
  const { data, response } = await publicApi.GET("/shared/{token}", { params: { path: { token } } });
  if (response.status === 404 || response.status === 400) return null;
  if (!data) throw new Error(`The link could not be read (${response.status}); try again in a moment.`);
  return data;
}

/**
 * The shared thread's events from seq 1 on, over one SSE stream (`GET /api/shared/:token/events`): the server sends
 * the log, then what happens live. EventSource resumes with Last-Event-ID by itself; when it gives up (the server
 * answered other than 200), the link is checked: a 404 means it was revoked or expired, anything else is retried.
 */
export function createSharedFeed(token: string, onEvents: (events: ThreadEvent[]) => void) {
  const [state, setState] = createSignal<SharedState>("loading");
  let source: EventSource | undefined;
  let lastSeq = 0;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let closed = false;

  const open = () => {
    if (closed) return;
    source = new EventSource(apiUrl(`/shared/${encodeURIComponent(token)}/events?after=${lastSeq}`));
    source.addEventListener("ready", () => setState("live"));
    source.onmessage = (message) => {
      const event = JSON.parse(message.data) as ThreadEvent;
      if (event.seq <= lastSeq) return;
      lastSeq = event.seq;
      onEvents([event]);
    };
    source.onerror = () => {
      if (closed) return;
      if (source?.readyState !== EventSource.CLOSED) {
        setState("reconnecting");
        return;
      }
      source = undefined;
      void fetchSharedThread(token)
        .then((thread) => {
          if (!thread) {
            setState("gone");
            return;
          }
          setState("reconnecting");
          retry = setTimeout(open, 2_000);
        })
        .catch(() => {
          setState("reconnecting");
          retry = setTimeout(open, 2_000);
        });
    };
  };

  open();
  onCleanup(() => {
    closed = true;
    clearTimeout(retry);
    source?.close();
  });
  return { state: state as Accessor<SharedState> };
}
