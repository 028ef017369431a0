import WebSocket from "ws";
import { apiUrl } from "./api";
import { STACK_TRACE } from "./hostile-input";
import type { RivetRoute } from "./openapi-operations";

/**
 * The hostile-input suite's cases against RivetKit's manager routes (`/api/rivet/*`, `hostile-input.ts`): how one
 * is sent (a request or a WebSocket) and what answer is right for it.
 */

/** How the guard in front of RivetKit refuses (worker/src/actors/manager-guard.ts), RivetKit's error codes. */
const RIVET_AUTH_CODES = [
  "missing_token",
  "invalid_token",
  "token_expired",
  "token_not_yet_valid",
  "forbidden",
];
const RIVET_CODES_OF_KIND: Record<RivetCase["kind"], readonly string[]> = {
  auth: RIVET_AUTH_CODES,
  foreign: ["forbidden", "not_found"],
  key: ["forbidden", "invalid_request"],
  // Manager calls: the API's code; actions: RivetKit's own for a message past maxIncomingMessageSize.
  oversize: ["payload_too_large", "incoming_too_long"],
  garbage: ["invalid_request", "invalid_encoding"],
  "action-name": ["not_found", "forbidden", "action_not_found", "invalid_request"],
  offer: ["invalid_request"],
};

export interface RivetCase {
  kind: "auth" | "foreign" | "key" | "oversize" | "garbage" | "action-name" | "offer";
  note: string;
  route: RivetRoute;
  /** The Authorization header (manager calls); undefined sends none. */
  authorization?: string;
  /** Connection params (x-rivet-conn-params or the WebSocket sub-protocol); undefined sends none. */
  params?: unknown;
  name?: string;
  key?: string;
  actorId?: string;
  action?: string;
  body?: { bytes: Uint8Array; contentType?: string; encoding?: string; chunked?: boolean };
  /** WebSocket offer override (sub-protocols). */
  protocols?: readonly string[];
  expect: readonly number[];
}

export interface RivetOutcome {
  status: number;
  text: string;
  /** A WebSocket's close reason, and how many messages came before it. */
  closeReason?: string;
  messages?: number;
}

export const rivetUrl = (path: string) => `${apiUrl()}/api/rivet${path}`;
export const encodeText = (text: string) => new TextEncoder().encode(text);

export function actorRequestBody(name: string | undefined, key: string | undefined): Uint8Array {
  return encodeText(JSON.stringify({ name, key, runner_name_selector: "default", crash_policy: "sleep" }));
}

export async function sendRivet(c: RivetCase): Promise<RivetOutcome> {
  if (c.route.webSocket) return openRivetSocket(c);
  const headers = new Headers();
  if (c.authorization !== undefined) headers.set("authorization", c.authorization);
  if (c.params !== undefined) headers.set("x-rivet-conn-params", JSON.stringify(c.params));
  let url: string;
  let body: Uint8Array | undefined;
  if (c.route.target === "query") {
    url = rivetUrl(`/actors?name=${encodeURIComponent(c.name ?? "")}&key=${encodeURIComponent(c.key ?? "")}`);
  } else if (c.route.target === "body") {
    url = rivetUrl("/actors");
    body = c.body?.bytes ?? actorRequestBody(c.name, c.key);
    headers.set("content-type", c.body?.contentType ?? "application/json");
  } else {
    url = rivetUrl(
      `/gateway/${encodeURIComponent(c.actorId ?? "")}/action/${encodeURIComponent(c.action ?? "")}`,
    );
    body = c.body?.bytes ?? encodeText('{"args":[]}');
    const encoding = c.body ? c.body.encoding : "json";
    if (encoding !== undefined) headers.set("x-rivet-encoding", encoding);
    if (c.body?.contentType) headers.set("content-type", c.body.contentType);
  }
  const chunks = body;
  const response = await fetch(url, {
    method: c.route.method,
    headers,
    body:
      chunks && c.body?.chunked
        ? new ReadableStream({
            start(controller) {
              for (let at = 0; at < chunks.length; at += 16_384)
                controller.enqueue(chunks.slice(at, at + 16_384));
              controller.close();
            },
          })
        : chunks,
    ...(c.body?.chunked ? { duplex: "half" } : {}),
  } as RequestInit);
  return { status: response.status, text: await response.text() };
}

/** A WebSocket as RivetKit's client opens it: refused ones are closed at once with `group.code`. */
function openRivetSocket(c: RivetCase): Promise<RivetOutcome> {
  const protocols = [...(c.protocols ?? ["rivet", "rivet_encoding.json"])];
  // As RivetKit's client encodes them, plus the few characters encodeURIComponent keeps that a sub-protocol may not
  // contain; the server decodes them back to the same params.
  const encodeParams = (params: unknown) =>
    encodeURIComponent(JSON.stringify(params)).replace(
      /[!'()*]/g,
      (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`,
    );
  if (!c.protocols && c.params !== undefined) protocols.push(`rivet_conn_params.${encodeParams(c.params)}`);
  const url = rivetUrl(`/gateway/${encodeURIComponent(c.actorId ?? "")}/connect`).replace(/^http/, "ws");
  return new Promise((resolve) => {
    const socket = new WebSocket(url, protocols);
    let messages = 0;
    const done = (outcome: RivetOutcome) => {
      clearTimeout(timer);
      resolve(outcome);
    };
    const timer = setTimeout(() => {
      done({ status: 101, text: "", closeReason: "still open after 10 s", messages });
      socket.terminate();
    }, 10_000);
    socket.on("message", () => {
      messages++;
    });
    socket.on("unexpected-response", (_request, response) => {
      let text = "";
      response.on("data", (chunk: Buffer) => {
        text += chunk.toString();
      });
      response.on("end", () => done({ status: response.statusCode ?? 0, text }));
    });
    socket.on("close", (_code, reason) =>
      done({ status: 101, text: "", closeReason: reason.toString(), messages }),
    );
    socket.on("error", () => {});
  });
}

/** What is wrong with the answer to a case that must be refused (or, for own calls, may succeed). */
export function rivetProblem(c: RivetCase, outcome: RivetOutcome): string | undefined {
  if (outcome.status >= 500) return "a server error";
  if (STACK_TRACE.test(outcome.text)) return "a stack trace in the body";
  if (outcome.status === 101) {
    if (!c.expect.includes(101)) return "a WebSocket that was accepted";
    if (outcome.messages !== 0) return `${outcome.messages} messages on a refused connection`;
    const [group, code] = (outcome.closeReason ?? "").split(".");
    if (!group || !code) return `closed without a RivetKit reason (${outcome.closeReason})`;
    if (!RIVET_CODES_OF_KIND[c.kind].includes(code)) return `close reason ${outcome.closeReason}`;
    return undefined;
  }
  if (!c.expect.includes(outcome.status)) return `not one of ${c.expect.join("/")}`;
  if (outcome.status < 300) return undefined;
  let error: { group?: unknown; code?: unknown; message?: unknown };
  try {
    error = JSON.parse(outcome.text) as typeof error;
  } catch {
    return "an error body that is not JSON";
  }
  if (typeof error.group !== "string" || typeof error.code !== "string" || typeof error.message !== "string")
    return "not RivetKit's error shape";
  if (!RIVET_CODES_OF_KIND[c.kind].includes(error.code)) return `error code ${error.group}.${error.code}`;
  return undefined;
}

export const showRivetCase = (c: RivetCase) => {
  const cut = (value: unknown) => {
    const text = JSON.stringify(value) ?? "undefined";
    return text.length > 120 ? `${text.slice(0, 120)}…(${text.length})` : text;
  };
  const parts = [`${c.route.key} [${c.kind}] ${c.note}`];
  if (c.authorization !== undefined) parts.push(`authorization=${cut(c.authorization)}`);
  if (c.params !== undefined) parts.push(`params=${cut(c.params)}`);
  if (c.name !== undefined || c.key !== undefined) parts.push(`name=${cut(c.name)} key=${cut(c.key)}`);
  if (c.actorId !== undefined) parts.push(`actor=${c.actorId.slice(0, 12)}… action=${cut(c.action)}`);
  if (c.body) parts.push(`body=${c.body.bytes.length} bytes (${c.body.encoding ?? c.body.contentType})`);
  return parts.join(" ");
};
