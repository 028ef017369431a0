import { type Context, Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { Database } from "../../../schema/db";
import { recordUsage } from "../agent/usage-meter";
import { AllowanceExceededError, assertCanStartTurn } from "../billing/entitlements";
import { isDatabaseUnavailable } from "../db/database-errors";
import { openDatabase } from "../db/open-database";
import type { AppEnv } from "../env";
import { MAX_GATEWAY_BODY_BYTES, RATE_LIMIT_WINDOW_SECONDS } from "../http/limits";
import { takeUserRequest } from "../http/rate-limit";
import { anthropicErrorResponse, GatewayError, mapUpstreamError } from "./anthropic-errors";
import { credentialFrom } from "./credential";
import { userOfGatewayKey } from "./gateway-credentials.repository";
import { checkMessagesRequest, parseModelAllowlist, upstreamHeaders } from "./request-policy";
import { type CallUsage, usageOfMessage, usageOfStream } from "./usage-counter";

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

async function forwardMessages(c: Context<AppEnv>): Promise<Response> {
  const key = credentialFrom(c.req.raw.headers);
  if (!key)
    throw new GatewayError(401, "authentication_error", "x-api-key: a GrowQR stack credential is required");
  const platformKey = c.env.ANTHROPIC_API_KEY;
  if (!platformKey) {
    c.get("log").error("model gateway: ANTHROPIC_API_KEY is not set");
    throw new GatewayError(500, "api_error", "The model gateway is not configured");
  }
  const db = openDatabase(c.env);
  let closeLater = false;
  try {
    const userId = await userOfGatewayKey(db, key);
    if (!userId)
      throw new GatewayError(401, "authentication_error", "x-api-key: invalid or revoked credential");
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
    await assertCanStartTurn(db, userId).catch((error: unknown) => {
      // 402, not 429: the allowance does not come back by retrying (OpenCode retries 429 and 5xx), so the
      // sub-agent ends at once with this message, which names the plan and the upgrade path.
      if (error instanceof AllowanceExceededError)
        throw new GatewayError(402, "billing_error", error.message);
      throw error;
    });

    const base = (c.env.ANTHROPIC_BASE_URL || "https://api.anthropic.com").replace(/\/+$/, "");
    let upstream: Response;
    try {
      // No abort signal from the caller: a caller that hangs up mid-stream still pays for what was generated.
      upstream = await fetch(`${base}/v1/messages`, {
        method: "POST",
        headers: upstreamHeaders(c.req.raw.headers, platformKey),
        body: text,
      });
    } catch (error) {
      c.get("log").warn("model gateway: upstream unreachable", { error });
      throw new GatewayError(502, "api_error", "The model is unreachable; retry shortly");
    }
    if (!upstream.ok) return upstreamError(c, upstream);

    // Our own id, never the caller's x-request-id: a key a caller could repeat would let later calls go unmetered.
    const turnKey = `gateway:${crypto.randomUUID()}`;
    const meter = (usage: CallUsage | undefined) => meterCall(c, db, userId, turnKey, usage);
    const isStream = (upstream.headers.get("content-type") ?? "").includes("text/event-stream");
    if (request.stream && isStream && upstream.body) {
      // One branch to the caller untouched, one read to the end for the meter, even if the caller hangs up.
      const [toCaller, toMeter] = upstream.body.tee();
      closeLater = true;
      c.executionCtx.waitUntil(
        usageOfStream(toMeter)
          .then(meter)
          .finally(() => db.$client.end().catch(() => {})),
      );
      return new Response(toCaller, { status: upstream.status, headers: passedHeaders(upstream) });
    }
    const answer = await upstream.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(answer);
    } catch {
      parsed = undefined;
    }
    await meter(usageOfMessage(parsed));
    return new Response(answer, { status: upstream.status, headers: passedHeaders(upstream) });
  } finally {
    if (!closeLater) c.executionCtx.waitUntil(db.$client.end().catch(() => {}));
  }
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
  for (let attempt = 1; ; attempt++) {
    try {
      await recordUsage(db, { userId, threadId: null, turnKey, model: call.model, usage: call.usage });
      return;
    } catch (error) {
      if (attempt >= 3) {
        c.get("log").error("model gateway: usage not recorded", {
          userId,
          turnKey,
          usage: call.usage,
          error,
        });
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
    }
  }
}
