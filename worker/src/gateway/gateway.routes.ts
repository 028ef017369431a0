import { type Context, Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { ConcurrencySlots } from "../../../platform/concurrency-slots";
import { retry } from "../../../platform/retry";
import { hashGatewayKey } from "../../../provisioner/src/stack/gateway-key";
import type { Database } from "../../../schema/db";
import { recordGrowingUsage } from "../agent/usage-meter";
import { AllowanceExceededError, assertCanStartTurn, UPGRADE_PATH } from "../billing/entitlements";
import { pokeUsageReports } from "../billing/usage-report-poke";
import { isDatabaseUnavailable } from "../db/database-errors";
import { openDatabase } from "../db/open-database";
import type { AppEnv } from "../env";
import {
  MAX_GATEWAY_BODY_BYTES,
  MAX_GATEWAY_CALLS_PER_USER,
  RATE_LIMIT_WINDOW_SECONDS,
} from "../http/limits";
import { takeUserRequest } from "../http/rate-limit";
import { anthropicErrorResponse, GatewayError, mapUpstreamError } from "./anthropic-errors";
import { allowanceCovers, estimateCallTokens } from "./call-estimate";
import { credentialFrom } from "./credential";
import { userOfGatewayKeyHash } from "./gateway-credentials.repository";
import { meterStream } from "./metered-stream";
import { checkMessagesRequest, parseModelAllowlist, upstreamHeaders } from "./request-policy";
import { UnknownKeys } from "./unknown-keys";
import { type CallUsage, usageOfMessage } from "./usage-counter";

/** Upstream response headers the caller gets (the rest describe our account: rate-limit buckets, org ids). */
const RESPONSE_HEADERS = ["content-type", "cache-control", "request-id", "retry-after", "x-should-retry"];

const passedHeaders = (upstream: Response) => {
  const headers = new Headers();
  for (const name of RESPONSE_HEADERS) {
    const value = upstream.headers.get(name);
    if (value !== null) headers.set(name, value);
  }
  return headers;
};

/**
 * The model gateway: the only way an OpenCode machine reaches Claude. Each call carries the stack's credential
 * instead of an Anthropic key; the gateway finds the user, refuses them when their plan's allowance is used up,
 * forwards the call with the platform key, passes the answer (streamed or not) through unchanged, and meters the
 * tokens the real response reports into the user's `usage_records`. Mounted outside the Clerk-authenticated API
 * (machines have no session token); errors are in Anthropic's shape so OpenCode's client retries what it should.
 */
export const gatewayRoutes = new Hono<AppEnv>()
  .use(
    bodyLimit({
      maxSize: MAX_GATEWAY_BODY_BYTES,
      onError: (c) =>
        anthropicErrorResponse(
          413,
          "request_too_large",
          `Request bodies are limited to ${MAX_GATEWAY_BODY_BYTES} bytes`,
          c.get("requestId"),
        ),
    }),
  )
  .post("/v1/messages", forwardMessages)
  .all("*", (c) => {
    throw new GatewayError(404, "not_found_error", `No gateway route for ${c.req.method} ${c.req.path}`);
  })
  .onError((error, c) => {
    const requestId = c.get("requestId");
    if (error instanceof GatewayError)
      return anthropicErrorResponse(error.status, error.type, error.message, requestId, error.headers);
    if (isDatabaseUnavailable(error))
      return anthropicErrorResponse(503, "api_error", "Temporarily unavailable; retry shortly", requestId, {
        "retry-after": "5",
      });
    c.get("log")?.error("model gateway failed", { error });
    return anthropicErrorResponse(500, "api_error", "Internal error in the model gateway", requestId);
  });

/** Counts each user's gateway calls in flight (this isolate). */
const callsInFlight = new ConcurrencySlots(MAX_GATEWAY_CALLS_PER_USER);
/** Hashes of well-shaped keys the database did not know, so a flood of made-up keys stays off the database. */
const unknownKeys = new UnknownKeys();
/** A slot frees when one of the user's calls ends, which cannot be predicted: retry soon. */
const CALL_SLOT_RETRY_AFTER_SECONDS = 5;
/** After a hang-up before `message_start`, how long to wait for it: within the 30 s `waitUntil` budget. */
const START_GRACE_MS = 20_000;

async function forwardMessages(c: Context<AppEnv>): Promise<Response> {
  const key = credentialFrom(c.req.raw.headers);
  if (!key)
    throw new GatewayError(401, "authentication_error", "x-api-key: a GrowQR stack credential is required");
  const platformKey = c.env.ANTHROPIC_API_KEY;
  if (!platformKey) {
    c.get("log").error("model gateway: ANTHROPIC_API_KEY is not set");
    throw new GatewayError(500, "api_error", "The model gateway is not configured");
  }
  const keyHash = await hashGatewayKey(key);
  if (unknownKeys.has(keyHash)) throw invalidCredential();
  // Opened only for a well-shaped key not known to be unknown: junk costs no connection.
  const db = openDatabase(c.env);
  let settled: Promise<void> | undefined;
  try {
    const userId = await userOfGatewayKeyHash(db, keyHash);
    if (!userId) {
      unknownKeys.add(keyHash);
      throw invalidCredential();
    }
    // The user's one request budget (REST, RivetKit, and here): a sandbox cannot flood the model or the database.
    if (!(await takeUserRequest(c.env, userId)))
      throw new GatewayError(429, "rate_limit_error", "Too many requests; retry shortly", {
        "retry-after": String(RATE_LIMIT_WINDOW_SECONDS),
      });
    const text = await c.req.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new GatewayError(400, "invalid_request_error", "The request body is not valid JSON");
    }
    const request = checkMessagesRequest(body, parseModelAllowlist(c.env.MODEL_GATEWAY_MODELS));
    const release = callsInFlight.acquire(userId);
    if (!release)
      throw new GatewayError(
        429,
        "rate_limit_error",
        `At most ${MAX_GATEWAY_CALLS_PER_USER} model calls may run at once; retry shortly`,
        { "retry-after": String(CALL_SLOT_RETRY_AFTER_SECONDS) },
      );
    try {
      await assertAffordable(db, userId, new TextEncoder().encode(text).byteLength, request.maxTokens);
    } catch (error) {
      release();
      throw error;
    }
    // From here on the call runs to its meter inside `waitUntil`: a caller that hangs up (even before the
    // answer's headers) cancels this handler, not the upstream call or its metering.
    const call = forward(c, db, { userId, text, stream: request.stream, platformKey });
    settled = call
      .then((forwarded) => forwarded.metered)
      .catch(() => {})
      .finally(release);
    c.executionCtx.waitUntil(settled.finally(() => db.$client.end().catch(() => {})));
    return (await call).response;
  } finally {
    if (!settled) c.executionCtx.waitUntil(db.$client.end().catch(() => {}));
  }
}

const invalidCredential = () =>
  new GatewayError(401, "authentication_error", "x-api-key: invalid or revoked credential");

/**
 * 402 when the user's allowance is used up, or cannot cover this call's estimate (call-estimate.ts): one query,
 * the entitlements `assertCanStartTurn` reads anyway.
 */
async function assertAffordable(db: Database, userId: string, bodyBytes: number, maxTokens: number) {
  // 402, not 429: the allowance does not come back by retrying (OpenCode retries 429 and 5xx), so the
  // sub-agent ends at once with this message, which names the plan and the upgrade path.
  const current = await assertCanStartTurn(db, userId).catch((error: unknown) => {
    if (error instanceof AllowanceExceededError) throw new GatewayError(402, "billing_error", error.message);
    throw error;
  });
  const estimate = estimateCallTokens(bodyBytes, maxTokens);
  if (!allowanceCovers(current.remainingTokens, estimate))
    throw new GatewayError(
      402,
      "billing_error",
      `This call may use up to ${estimate.toLocaleString("en-US")} tokens (its prompt and max_tokens), more than the ${current.remainingTokens.toLocaleString("en-US")} left on the ${current.planName} plan until ${current.periodEnd.toISOString().slice(0, 10)}. Send a shorter prompt or a lower max_tokens, or upgrade at ${UPGRADE_PATH}.`,
    );
}

interface Forwarded {
  response: Response;
  /** Settles when the call's usage is recorded (or known to be none). */
  metered: Promise<void>;
}

async function forward(
  c: Context<AppEnv>,
  db: Database,
  call: { userId: string; text: string; stream: boolean; platformKey: string },
): Promise<Forwarded> {
  const base = (c.env.ANTHROPIC_BASE_URL || "https://api.anthropic.com").replace(/\/+$/, "");
  const upstreamCall = new AbortController();
  let upstream: Response;
  try {
    // Our own abort signal, not the caller's: only the metering decides when upstream stops (meterStream).
    upstream = await fetch(`${base}/v1/messages`, {
      method: "POST",
      headers: upstreamHeaders(c.req.raw.headers, call.platformKey),
      body: call.text,
      signal: upstreamCall.signal,
    });
  } catch (error) {
    c.get("log").warn("model gateway: upstream unreachable", { error });
    return {
      response: anthropicErrorResponse(
        502,
        "api_error",
        "The model is unreachable; retry shortly",
        c.get("requestId"),
      ),
      metered: Promise.resolve(),
    };
  }
  if (!upstream.ok) return { response: await upstreamError(c, upstream), metered: Promise.resolve() };

  // Our own id, never the caller's x-request-id: a key a caller could repeat would let later calls go unmetered.
  const turnKey = `gateway:${crypto.randomUUID()}`;
  const meter = (usage: CallUsage | undefined) => meterCall(c, db, call.userId, turnKey, usage);
  const isStream = (upstream.headers.get("content-type") ?? "").includes("text/event-stream");
  if (call.stream && isStream && upstream.body) {
    const { toCaller, metered } = meterStream(upstream.body, {
      abortUpstream: () => upstreamCall.abort(),
      onStart: meter,
      onEnd: meter,
      startGraceMs: START_GRACE_MS,
    });
    return {
      response: new Response(toCaller, { status: upstream.status, headers: passedHeaders(upstream) }),
      metered,
    };
  }
  // A whole answer is paid whether or not the caller is still there: read and meter it all before answering.
  const answer = await upstream.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(answer);
  } catch {
    parsed = undefined;
  }
  await meter(usageOfMessage(parsed));
  return {
    response: new Response(answer, { status: upstream.status, headers: passedHeaders(upstream) }),
    metered: Promise.resolve(),
  };
}

async function upstreamError(c: Context<AppEnv>, upstream: Response): Promise<Response> {
  const mapped = mapUpstreamError(upstream.status, upstream.headers);
  if (mapped.replace) {
    c.get("log").error("model gateway: upstream refused the platform account", { status: upstream.status });
    await upstream.body?.cancel();
    return anthropicErrorResponse(
      mapped.status,
      mapped.replace.type,
      mapped.replace.message,
      c.get("requestId"),
      mapped.headers,
    );
  }
  const headers = new Headers(mapped.headers);
  headers.set("content-type", upstream.headers.get("content-type") ?? "application/json");
  return new Response(upstream.body, { status: mapped.status, headers });
}

/** Records a call's tokens (a few tries: the tokens were spent whatever the database says). */
async function meterCall(
  c: Context<AppEnv>,
  db: Database,
  userId: string,
  turnKey: string,
  call: CallUsage | undefined,
): Promise<void> {
  if (!call) return;
  await retry(() => recordGrowingUsage(db, { userId, turnKey, model: call.model, usage: call.usage }), {
    attempts: 3,
    baseMs: 200,
    maxMs: 400,
  }).then(
    // Kept alive past the response, not waited for: the stream's first bytes must not wait on a Durable Object.
    () => c.executionCtx.waitUntil(pokeUsageReports(c.env)),
    (error) => {
      c.get("log").error("model gateway: usage not recorded", { userId, turnKey, usage: call.usage, error });
    },
  );
}
