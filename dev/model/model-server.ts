import { createHash, randomBytes } from "node:crypto";
import { once } from "node:events";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { defaultErrorMessage, errorBody } from "./api-error";
import { buildMessage } from "./message";
import { parseMessagesRequest } from "./request";
import { planReply } from "./script";
import { formatSse, streamEvents } from "./sse";
import { inputUsage, measureInput, PromptCache } from "./usage";

export interface DevModelEvent {
  requestId: string;
  /** An SSE event name, or `message` (non-streaming reply), `http_error`, `client_closed`. */
  type: string;
  at: number;
  /** The request's `metadata.user_id`, when it has one (the Grow Agent sends its user's id). */
  userId?: string;
}

export interface DevModelOptions {
  /** 0 or unset: a free port. */
  port?: number;
  /** Loopback only: 127.0.0.1 (default), ::1 or localhost. */
  host?: string;
  /** Pause between stream events unless `[[slow:ms]]` says otherwise; default 0. */
  deltaDelayMs?: number;
  onEvent?: (event: DevModelEvent) => void;
  log?: (line: string) => void;
}

export interface RecordedRequest {
  /** The `request-id` the response carried. */
  id: string;
  at: string;
  method: string;
  path: string;
  /** Request headers with `x-api-key` and `authorization` redacted. */
  headers: Record<string, string>;
  /** The parsed JSON body, or undefined if it was not JSON. */
  body: unknown;
  status?: number;
  /** SHA-256 (hex) of the key it was called with: tests tell which key reached the model without seeing it. */
  keySha256?: string;
  /** The usage it reported (streamed or not), for answers that got that far. */
  usage?: {
    input_tokens: number;
    output_tokens: number;
    cache_read_input_tokens?: number | null;
    cache_creation_input_tokens?: number | null;
  };
}

export interface DevModel {
  /** Base URL for `new Anthropic({ baseURL })` / `ANTHROPIC_BASE_URL` (no `/v1`). */
  url: string;
  /** The last 100 API requests, oldest first. */
  requests(): RecordedRequest[];
  /** Forgets requests, `[[fail]]` counters and cached prompt prefixes (as `POST /_dev/reset`). */
  reset(): void;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 4 * 1024 * 1024;
// Enough for a whole test run's concurrent files to look back at their own requests.
const MAX_RECORDED = 500;
const LOOPBACK = new Set(["127.0.0.1", "::1", "localhost"]);
const SECRET_HEADERS = new Set(["x-api-key", "authorization"]);

/**
 * A local stand-in for api.anthropic.com's Messages API (`POST /v1/messages`, streaming or not), answering
 * from the deterministic script in script.ts. The SDK cannot tell it apart for the subset the Grow Agent
 * uses: same status codes, error bodies, `request-id` header, SSE event sequence and usage fields.
 */
export async function startDevModel(options: DevModelOptions = {}): Promise<DevModel> {
  const host = options.host ?? "127.0.0.1";
  if (!LOOPBACK.has(host)) throw new Error(`dev model listens on loopback only, not ${host}`);
  const log = options.log ?? (() => {});
  const emit = (requestId: string, type: string, userId?: string | null) =>
    options.onEvent?.({ requestId, type, at: Date.now(), ...(userId ? { userId } : {}) });
  const recorded: RecordedRequest[] = [];
  const failures = new Map<string, number>();
  const promptCache = new PromptCache();
  const shutdown = new AbortController();

  const reset = () => {
    recorded.length = 0;
    failures.clear();
    promptCache.clear();
  };

  const server = http.createServer((request, response) => {
    const requestId = newId("req_");
    response.setHeader("request-id", requestId);
    const path = new URL(request.url ?? "/", "http://dev-model.local").pathname;
    handle(request, response, requestId, path).catch((error: unknown) => {
      log(`error: ${error instanceof Error ? error.stack : String(error)}`);
      if (!response.headersSent) sendError(response, 500, "api_error", "Internal server error", requestId);
      else response.destroy();
    });
  });

  async function handle(
    request: http.IncomingMessage,
    response: http.ServerResponse,
    requestId: string,
    path: string,
  ): Promise<void> {
    const method = request.method ?? "GET";
    if (path === "/_dev/requests" && method === "GET") return void sendJson(response, 200, recorded);
    if (path === "/_dev/reset" && method === "POST") {
      reset();
      return void sendJson(response, 200, { ok: true });
    }

    const body = await readBody(request);
    const record: RecordedRequest = {
      id: requestId,
      at: new Date().toISOString(),
      method,
      path,
      headers: redacted(request.headers),
      keySha256: keyFingerprint(request.headers),
      body: body === "too_large" ? undefined : parseJson(body),
    };
    recorded.push(record);
    if (recorded.length > MAX_RECORDED) recorded.shift();
    const fail = (status: number, type: string, message: string, headers: Record<string, string> = {}) => {
      record.status = status;
      emit(requestId, "http_error");
      log(`${method} ${path} → ${status} ${type}`);
      sendError(response, status, type, message, requestId, headers);
    };

    if (path !== "/v1/messages" || method !== "POST")
      return fail(404, "not_found_error", `Not found: ${method} ${path}`);
    if (body === "too_large")
      return fail(413, "request_too_large", `Request exceeds the maximum size of ${MAX_BODY_BYTES} bytes`);
    if (!hasCredentials(request.headers))
      return fail(401, "authentication_error", "x-api-key header is required");
    if (!request.headers["anthropic-version"])
      return fail(400, "invalid_request_error", "anthropic-version: header is required");
    if (record.body === undefined)
      return fail(
        400,
        "invalid_request_error",
        "There was an issue with the request body: it is not valid JSON",
      );
    const parsed = parseMessagesRequest(record.body);
    if (!parsed.ok) return fail(400, "invalid_request_error", parsed.message);

    const plan = planReply(parsed.request, {
      failuresSoFar: (key) => failures.get(key) ?? 0,
      newToolUseId: () => newId("toolu_"),
    });
    if (plan.kind === "error") {
      failures.set(plan.failureKey, (failures.get(plan.failureKey) ?? 0) + 1);
      const headers: Record<string, string> =
        plan.retryAfterSeconds === undefined ? {} : { "retry-after": String(plan.retryAfterSeconds) };
      return fail(plan.status, plan.errorType, plan.message, headers);
    }

    // Without a stream there is nowhere to break midway: the real API would answer 529 instead.
    if (!parsed.request.stream && plan.failMidstream)
      return fail(529, "overloaded_error", defaultErrorMessage("overloaded_error"));

    const message = buildMessage(plan, {
      id: newId("msg_"),
      model: parsed.request.model,
      input: inputUsage(measureInput(parsed.request), promptCache),
    });
    record.usage = message.usage;
    const userId = parsed.request.metadata?.user_id;
    const gone = new AbortController();
    response.on("close", () => {
      if (!response.writableFinished) {
        emit(requestId, "client_closed", userId);
        gone.abort();
      }
    });
    const signal = AbortSignal.any([gone.signal, shutdown.signal]);
    const pauseMs = plan.slowMs ?? options.deltaDelayMs ?? 0;

    if (!parsed.request.stream) {
      if (!(await pause(pauseMs, signal))) return;
      record.status = 200;
      emit(requestId, "message", userId);
      log(`${method} ${path} → 200 (${message.stop_reason})`);
      return void sendJson(response, 200, message);
    }

    record.status = 200;
    log(`${method} ${path} → 200 stream (${plan.failMidstream ? "fails midway" : message.stop_reason})`);
    response.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache",
      connection: "keep-alive",
    });
    const events = streamEvents(message, { failMidstream: plan.failMidstream });
    for (const [index, event] of events.entries()) {
      if (index > 0 && !(await pause(pauseMs, signal))) return;
      if (signal.aborted) return;
      // Respect backpressure, so that a `[[words:1000000]]` benchmark does not buffer the whole reply.
      if (!response.write(formatSse(event))) await once(response, "drain", { signal }).catch(() => {});
      emit(requestId, event.event, userId);
    }
    response.end();
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;

  return {
    url,
    requests: () => recorded.map((r) => structuredClone(r)),
    reset,
    close: async () => {
      shutdown.abort();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Waits between events; false when the client went away or the server is closing. */
async function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return false;
  if (ms <= 0) return true;
  return sleep(ms, true, { signal }).catch(() => false);
}

/** The whole body, or "too_large" once past the limit (still drained, so the client reads our 413). */
async function readBody(request: http.IncomingMessage): Promise<string | "too_large"> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk);
  }
  return size > MAX_BODY_BYTES ? "too_large" : Buffer.concat(chunks).toString("utf8");
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function keyFingerprint(headers: http.IncomingHttpHeaders): string | undefined {
  const key = headers["x-api-key"] || /^Bearer\s+(\S+)/i.exec(headers.authorization ?? "")?.[1];
  return typeof key === "string" && key ? createHash("sha256").update(key).digest("hex") : undefined;
}

function hasCredentials(headers: http.IncomingHttpHeaders): boolean {
  const key = headers["x-api-key"];
  if (typeof key === "string" && key.trim() !== "") return true;
  return /^Bearer\s+\S+/i.test(headers.authorization ?? "");
}

function redacted(headers: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name] = SECRET_HEADERS.has(name) ? "[redacted]" : Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}

function sendJson(response: http.ServerResponse, status: number, body: unknown, headers = {}): void {
  response.writeHead(status, { "content-type": "application/json", ...headers });
  response.end(JSON.stringify(body));
}

function sendError(
  response: http.ServerResponse,
  status: number,
  type: string,
  message: string,
  requestId: string,
  headers: Record<string, string> = {},
): void {
  sendJson(response, status, errorBody(type, message, requestId), headers);
}

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** Ids shaped like the real ones (`msg_01…`, `toolu_01…`, `req_01…`: 24 base62 characters). */
function newId(prefix: string): string {
  const bytes = randomBytes(22);
  let id = `${prefix}01`;
  for (const byte of bytes) id += BASE62[byte % 62];
  return id;
}
