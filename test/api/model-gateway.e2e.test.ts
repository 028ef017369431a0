import { lstat, readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { and, eq, like } from "drizzle-orm";
import { beforeAll, describe, expect, inject, it } from "vitest";
import type { RecordedRequest } from "../../dev/model/model-server";
import type { Env as ProvisionerEnv } from "../../provisioner/src/env";
import { createFlyClient } from "../../provisioner/src/fly/fly-client";
import { generateGatewayKey } from "../../provisioner/src/stack/gateway-key";
import { postgresGatewayKeys } from "../../provisioner/src/stack/gateway-key-store";
import { usageRecords, userStacks } from "../../schema";
import { MAX_GATEWAY_CALLS_PER_USER } from "../../worker/src/http/limits";
import { apiUrl, call, mintToken, stackDb, uniqueUser } from "../support/api";

/**
 * The model gateway end to end: a real sub-agent (the real OpenCode on dev/fly, dev/model behind the gateway)
 * shows what its sandbox holds, and every model call it makes is refused, forwarded and metered by the gateway.
 */

const GATEWAY = () => `${apiUrl()}/api/model-gateway`;
const modelUrl = () => inject("modelUrl");
/** The test stack's state directory (the issuer key lives in it): the Workers' env file and dev/fly's machines. */
const stateDir = () => path.dirname(inject("issuerKeyFile"));

const sha256 = async (text: string) =>
  Buffer.from(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text))).toString("hex");

/** The values the Workers run with (written by dev/stack.ts for wrangler), by name. */
async function workerSecrets(): Promise<Record<string, string>> {
  const text = await readFile(path.join(stateDir(), "workers.env"), "utf8");
  const entries = text
    .split("\n")
    .map((line) => /^([A-Z0-9_]+)="(.*)"$/.exec(line))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => [match[1] as string, (match[2] as string).replaceAll("\\n", "\n")]);
  return Object.fromEntries(entries);
}

/** Every platform secret, by name: none may ever be readable in a sandbox. */
const PLATFORM_SECRETS = [
  "ANTHROPIC_API_KEY",
  "ACTOR_INTERNAL_KEY",
  "STACK_SECRETS_KEY",
  "GITEA_TOKEN_KEY",
  "STRIPE_SECRET_KEY",
  "STRIPE_WEBHOOK_SECRET",
  "DATABASE_URL",
  "FLY_API_TOKEN",
];

async function* filesUnder(dir: string): AsyncGenerator<string> {
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* filesUnder(full);
    else if (entry.isFile()) yield full;
  }
}

const modelRequests = async () =>
  (await (await fetch(`${modelUrl()}/_dev/requests`)).json()) as RecordedRequest[];

const message = (prompt: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    model: "claude-sonnet-4-5",
    max_tokens: 200,
    messages: [{ role: "user", content: prompt }],
    ...extra,
  });

const gatewayCall = (
  key: string | undefined,
  body: string,
  headers: Record<string, string> = {},
  signal?: AbortSignal,
) =>
  fetch(`${GATEWAY()}/v1/messages`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "anthropic-version": "2023-06-01",
      ...(key ? { "x-api-key": key } : {}),
      ...headers,
    },
    body,
    signal,
  });

/** What the allowance counts of a call (billing/usage-tokens.ts): cache reads at a tenth, rounded up per call. */
const billable = (u: {
  inputTokens: number;
  outputTokens: number;
  cacheWriteTokens: number;
  cacheReadTokens: number;
}) => u.inputTokens + u.outputTokens + u.cacheWriteTokens + Math.ceil(u.cacheReadTokens / 10);
const reportedBillable = (u: NonNullable<RecordedRequest["usage"]>) =>
  u.input_tokens +
  u.output_tokens +
  (u.cache_creation_input_tokens ?? 0) +
  Math.ceil((u.cache_read_input_tokens ?? 0) / 10);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The model's record of the one request whose prompt holds `marker`. */
const requestWith = async (marker: string) =>
  (await modelRequests()).find((r) => JSON.stringify(r.body ?? "").includes(marker));

const gatewayRows = (userId: string) =>
  stackDb()
    .select()
    .from(usageRecords)
    .where(and(eq(usageRecords.userId, userId), like(usageRecords.turnKey, "gateway:%")));

interface ThreadEvent {
  seq: number;
  type: string;
  data: Record<string, unknown>;
}

const turnEnded = (e: ThreadEvent) => e.type.startsWith("turn.") && e.type !== "turn.started";

/** The thread's event log (REST), polled until the turn ends. */
async function eventsUntilTurnEnds(
  token: string,
  threadId: string,
  timeoutMs: number,
): Promise<ThreadEvent[]> {
  const events: ThreadEvent[] = [];
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; ) {
    const page = (await (
      await call(`/api/threads/${threadId}/events?after=${events.at(-1)?.seq ?? 0}&limit=100`, token)
    ).json()) as { items: ThreadEvent[] };
    events.push(...page.items);
    if (events.some(turnEnded)) return events;
    if (page.items.length < 100) await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`the turn did not end within ${timeoutMs} ms: ${events.map((e) => e.type).join(", ")}`);
}

/** The credential in the user's OpenCode machine's env, as Fly (dev/fly) holds it; "" without a machine. */
async function machineKeyOf(userId: string): Promise<string> {
  const [stack] = await stackDb().select().from(userStacks).where(eq(userStacks.userId, userId));
  if (!stack?.flyMachineId) return "";
  const fly = createFlyClient({ baseUrl: inject("flyApiUrl"), token: inject("flyToken") });
  return (await fly.machines.get(stack.flyApp, stack.flyMachineId)).config?.env?.ANTHROPIC_API_KEY ?? "";
}

/** The user's stack credential, waking the stack first when it has none (so each test stands on its own). */
async function stackKeyFor(user: { id: string; token: string }): Promise<string> {
  let key = await machineKeyOf(user.id);
  if (key) return key;
  expect((await call("/api/stack/wake", user.token, { method: "POST" })).status).toBeLessThan(300);
  for (let i = 0; i < 240 && !key; i++) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    key = await machineKeyOf(user.id);
  }
  expect(key).not.toBe("");
  return key;
}

describe("model gateway", () => {
  let secrets: Record<string, string>;
  beforeAll(async () => {
    secrets = await workerSecrets();
    // The list is only a proof if every value is really there to look for.
    for (const name of PLATFORM_SECRETS) expect(secrets[name], name).toBeTruthy();
  });

  it("refuses calls without a credential, with a wrong one or with the platform's own key: 401 in Anthropic's shape", async () => {
    for (const key of [undefined, "sk-ant-api03-not-ours", generateGatewayKey(), secrets.ANTHROPIC_API_KEY]) {
      const response = await gatewayCall(key, message("hello"));
      expect(response.status, String(key)).toBe(401);
      expect(await response.json()).toMatchObject({ type: "error", error: { type: "authentication_error" } });
    }
    const bearer = await fetch(`${GATEWAY()}/v1/messages`, {
      method: "POST",
      headers: { authorization: `Bearer ${generateGatewayKey()}`, "content-type": "application/json" },
      body: message("hello"),
    });
    expect(bearer.status).toBe(401);
    // Only the Messages API is there.
    const other = await fetch(`${GATEWAY()}/v1/models`, { headers: { "x-api-key": generateGatewayKey() } });
    expect(other.status).toBe(404);
    expect(await other.json()).toMatchObject({ type: "error", error: { type: "not_found_error" } });
  });

  describe("a user's sandbox", () => {
    let user: { token: string; id: string };
    beforeAll(async () => {
      const token = await mintToken(uniqueUser("gw"));
      const me = (await (await call("/api/me", token)).json()) as { id: string };
      user = { token, id: me.id };
    });

    it("holds no platform secret (printenv, every file), and its model calls are metered by the gateway exactly", async () => {
      const threadId = (
        (await (await call("/api/threads", user.token, { method: "POST", body: "{}" })).json()) as {
          id: string;
        }
      ).id;
      const nonce = `gw-${crypto.randomUUID().slice(0, 8)}`;
      const command = `printenv > env.txt; echo ${nonce} >> env.txt; ls -la ~ >> env.txt; printenv`;
      const sent = await call(`/api/threads/${threadId}/messages`, user.token, {
        method: "POST",
        body: JSON.stringify({
          text: `delegate: [[tool:bash {"command":"${command}","description":"Show the environment"}]]`,
        }),
      });
      expect(sent.status).toBe(202);
      const events = await eventsUntilTurnEnds(user.token, threadId, 150_000);
      const story = JSON.stringify(events.map((e) => [e.type, e.data])).slice(0, 4000);
      expect(events.at(-1)?.type, story).toBe("turn.completed");
      expect(events.find((e) => e.type === "subagent.finished")?.data.status).toBe("completed");
      const bash = events.find(
        (e) => e.type === "subagent.tool" && e.data.tool === "bash" && e.data.status === "completed",
      );
      const shown = String(bash?.data.output ?? "");
      // The sandbox does have what it needs: the gateway's URL and its own stack credential.
      expect(shown).toContain(`ANTHROPIC_BASE_URL=${GATEWAY()}/v1`);
      const stackKey = /ANTHROPIC_API_KEY=(gqsk_[A-Za-z0-9_-]{43})/.exec(shown)?.[1] ?? "";
      expect(stackKey).toBe(await machineKeyOf(user.id));
      for (const name of PLATFORM_SECRETS) expect(shown, name).not.toContain(secrets[name]);

      // Every file of this user's machines (workspace volume, home, caches, OpenCode's data) is searched too.
      const [stack] = await stackDb().select().from(userStacks).where(eq(userStacks.userId, user.id));
      const opencodeMachine = stack?.flyMachineId ?? "";
      expect(opencodeMachine).not.toBe("");
      const roots = [path.join(stateDir(), "fly", "machines"), path.join(stateDir(), "fly", "volumes")];
      let searched = 0;
      let sawEnvFile = false;
      for (const root of roots) {
        for await (const file of filesUnder(root)) {
          if ((await lstat(file)).size > 8 * 1024 * 1024) continue;
          const text = await readFile(file, "latin1");
          searched++;
          if (path.basename(file) === "env.txt" && text.includes(stackKey)) sawEnvFile = true;
          for (const name of PLATFORM_SECRETS)
            expect(text.includes(secrets[name] ?? ""), `${name} in ${file}`).toBe(false);
        }
      }
      expect(sawEnvFile).toBe(true);
      expect(searched).toBeGreaterThan(3);

      // What dev/model saw from OpenCode came through the gateway with the Worker's key, never the stack's.
      // (The Grow Agent's own calls come from the Anthropic SDK, which sends x-stainless-* headers.)
      const platformKey = await sha256(secrets.ANTHROPIC_API_KEY ?? "");
      const stackKeyHash = await sha256(stackKey);
      const requests = await modelRequests();
      const fromSandbox = requests.filter(
        (r) => JSON.stringify(r.body ?? "").includes(nonce) && r.headers["x-stainless-lang"] === undefined,
      );
      expect(fromSandbox.length).toBeGreaterThan(0);
      expect(requests.some((r) => r.keySha256 === stackKeyHash)).toBe(false);
      expect(fromSandbox.every((r) => r.keySha256 === platformKey)).toBe(true);

      // Sub-agent tokens in GET /api/billing equal the gateway's count, which equals what the model reported.
      // A streamed call is metered once its last byte has passed (waitUntil): wait for every answered call.
      const answeredViaGateway = fromSandbox.filter((r) => r.status === 200);
      const reportedTotal = answeredViaGateway.reduce(
        (sum, r) => sum + reportedBillable(r.usage ?? { input_tokens: 0, output_tokens: 0 }),
        0,
      );
      // A streamed call's row appears at message_start and is completed after its last byte: wait for both.
      let gateway = await gatewayRows(user.id);
      for (let i = 0; i < 50 && gateway.reduce((sum, u) => sum + billable(u), 0) < reportedTotal; i++) {
        await sleep(100);
        gateway = await gatewayRows(user.id);
      }
      const all = await stackDb().select().from(usageRecords).where(eq(usageRecords.userId, user.id));
      const billing = (await (await call("/api/billing", user.token)).json()) as {
        usage: { usedTokens: number };
      };
      const grow = all.filter((u) => !u.turnKey.startsWith("gateway:"));
      expect(gateway.length).toBeGreaterThan(0);
      expect(billing.usage.usedTokens).toBe(
        grow.reduce((sum, u) => sum + billable(u), 0) + gateway.reduce((sum, u) => sum + billable(u), 0),
      );
      // The sandbox's own report is not billed: no usage row comes from OpenCode's numbers.
      expect(all.filter((u) => u.turnKey.startsWith("subagent:"))).toEqual([]);
      expect(gateway.length).toBe(answeredViaGateway.length);
      expect(gateway.reduce((sum, u) => sum + billable(u), 0)).toBe(reportedTotal);
    }, 180_000);

    it("streams answers through untouched and meters each call once, streamed or not", async () => {
      const stackKey = await stackKeyFor(user);
      const before = (await gatewayRows(user.id)).length;
      const streamed = await gatewayCall(stackKey, message("[[words:40]] [[slow:5]]", { stream: true }));
      expect(streamed.status).toBe(200);
      expect(streamed.headers.get("content-type")).toContain("text/event-stream");
      const text = await streamed.text();
      const types = [...text.matchAll(/^event: (\w+)$/gm)].map((m) => m[1]);
      expect(types[0]).toBe("message_start");
      expect(types.at(-1)).toBe("message_stop");
      expect(types.filter((t) => t === "content_block_delta").length).toBeGreaterThan(5);

      const betaMarker = `beta-${crypto.randomUUID().slice(0, 8)}`;
      const plain = await gatewayCall(stackKey, message(`hello there ${betaMarker}`), {
        "anthropic-beta": "context-1m-2025-08-07,extended-cache-ttl-2025-04-11,prompt-caching-2024-07-31",
      });
      expect(plain.status).toBe(200);
      // Premium-priced betas (billed above what the meter counts) never reach the model.
      expect((await requestWith(betaMarker))?.headers["anthropic-beta"]).toBe("prompt-caching-2024-07-31");
      const answer = (await plain.json()) as { usage: { input_tokens: number; output_tokens: number } };

      // The streamed call is metered after its last byte (waitUntil): poll briefly.
      let rows = await gatewayRows(user.id);
      for (let i = 0; i < 50 && rows.length < before + 2; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        rows = await gatewayRows(user.id);
      }
      expect(rows.length).toBe(before + 2);
      expect(
        rows.some(
          (u) => u.inputTokens === answer.usage.input_tokens && u.outputTokens === answer.usage.output_tokens,
        ),
      ).toBe(true);
    }, 60_000);

    /** A streamed call the test hangs up on: `readFirst` reads the first chunk before hanging up. */
    async function hangUpOnStream(stackKey: string, prompt: string, readFirst: boolean) {
      const aborter = new AbortController();
      const response = await gatewayCall(stackKey, message(prompt, { stream: true }), {}, aborter.signal);
      expect(response.status).toBe(200);
      if (readFirst) await response.body?.getReader().read();
      aborter.abort();
    }

    /** The user's gateway rows not in `before`, once one holds `input` tokens (waiting at most `withinMs`). */
    async function meteredCall(userId: string, before: Set<string>, input: number, withinMs = 10_000) {
      for (let i = 0; i < withinMs / 100; i++) {
        const fresh = (await gatewayRows(userId)).filter((u) => !before.has(u.turnKey));
        if (fresh.length > 0 && fresh[0]?.inputTokens === input) return fresh;
        await sleep(100);
      }
      return (await gatewayRows(userId)).filter((u) => !before.has(u.turnKey));
    }

    it("meters a streamed call whose caller hangs up after the first bytes, and stops its generation", async () => {
      const stackKey = await stackKeyFor(user);
      const before = new Set((await gatewayRows(user.id)).map((u) => u.turnKey));
      const marker = `hangup-${crypto.randomUUID().slice(0, 8)}`;
      // ~150 deltas 40 ms apart: 6 s of generation, of which the caller waits for the first bytes only.
      await hangUpOnStream(stackKey, `${marker} [[words:150]] [[slow:40]]`, true);
      const reported = (await requestWith(marker))?.usage;
      expect(reported?.output_tokens).toBeGreaterThan(100);
      const rows = await meteredCall(user.id, before, reported?.input_tokens ?? -1);
      expect(rows).toHaveLength(1);
      expect(rows[0]?.inputTokens).toBe(reported?.input_tokens);
      // Upstream was stopped: the row holds what was generated until the hang-up, not the whole answer...
      await sleep(1_000);
      const [settled] = (await gatewayRows(user.id)).filter((u) => !before.has(u.turnKey));
      expect(settled?.outputTokens).toBeGreaterThanOrEqual(1);
      expect(settled?.outputTokens).toBeLessThan(reported?.output_tokens ?? 0);
    }, 60_000);

    it("bills the input of a streamed call whose caller hangs up right after the headers, at once", async () => {
      const stackKey = await stackKeyFor(user);
      const before = new Set((await gatewayRows(user.id)).map((u) => u.turnKey));
      const marker = `headers-${crypto.randomUUID().slice(0, 8)}`;
      // A long prompt (its input is what a sandbox would try not to pay for) and a 10 s answer nobody reads.
      await hangUpOnStream(
        stackKey,
        `${marker} ${"lorem ipsum ".repeat(2_000)} [[words:50]] [[slow:200]]`,
        false,
      );
      const reported = (await requestWith(marker))?.usage;
      expect(reported?.input_tokens).toBeGreaterThan(5_000);
      // Metered from message_start, long before the answer would have ended (a meter at the end of the stream
      // could be cut off by the Worker's 30 s waitUntil limit on a long generation).
      const rows = await meteredCall(user.id, before, reported?.input_tokens ?? -1, 3_000);
      expect(rows).toHaveLength(1);
      expect(rows[0]?.inputTokens).toBe(reported?.input_tokens);
      expect(rows[0]?.outputTokens).toBeLessThan(reported?.output_tokens ?? 0);
    }, 60_000);

    it("meters a non-streamed call whose caller hangs up before the answer", async () => {
      const stackKey = await stackKeyFor(user);
      const before = new Set((await gatewayRows(user.id)).map((u) => u.turnKey));
      const marker = `plain-hangup-${crypto.randomUUID().slice(0, 8)}`;
      const aborter = new AbortController();
      const pending = gatewayCall(
        stackKey,
        message(`${marker} [[words:30]] [[slow:3000]]`),
        {},
        aborter.signal,
      );
      await sleep(1_000);
      aborter.abort();
      await expect(pending).rejects.toThrow();
      // dev/model answers after 3 s; the gateway still reads and meters the whole answer.
      let rows: Awaited<ReturnType<typeof gatewayRows>> = [];
      for (let i = 0; i < 100 && rows.length === 0; i++) {
        await sleep(100);
        rows = (await gatewayRows(user.id)).filter((u) => !before.has(u.turnKey));
      }
      const reported = (await requestWith(marker))?.usage;
      expect(reported?.output_tokens).toBeGreaterThan(0);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({
        inputTokens: reported?.input_tokens,
        outputTokens: reported?.output_tokens,
      });
    }, 60_000);

    it("caps the calls one user has in flight: 429 rate_limit_error with retry-after, free again when they end", async () => {
      const stackKey = await stackKeyFor(user);
      const marker = `cap-${crypto.randomUUID().slice(0, 8)}`;
      const aborters = Array.from({ length: MAX_GATEWAY_CALLS_PER_USER }, () => new AbortController());
      // Each holds its slot for ~10 s unless hung up on (the gateway then stops it).
      const held = await Promise.all(
        aborters.map((aborter, i) =>
          gatewayCall(
            stackKey,
            message(`${marker}-${i} [[words:100]] [[slow:100]]`, { stream: true }),
            {},
            aborter.signal,
          ),
        ),
      );
      expect(held.map((r) => r.status)).toEqual(held.map(() => 200));
      const refused = await gatewayCall(stackKey, message(`${marker} one too many`));
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
      expect(await refused.json()).toMatchObject({ type: "error", error: { type: "rate_limit_error" } });
      for (const aborter of aborters) aborter.abort();
      let after = 0;
      for (let i = 0; i < 50 && after !== 200; i++) {
        await sleep(200);
        const retry = await gatewayCall(stackKey, message(`${marker} after`));
        after = retry.status;
        await retry.body?.cancel();
      }
      expect(after).toBe(200);
    }, 60_000);

    it("refuses (402) a call the remaining allowance cannot cover, by its prompt size and max_tokens", async () => {
      const stackKey = await stackKeyFor(user);
      const db = stackDb();
      const { usage } = (await (await call("/api/billing", user.token)).json()) as {
        usage: { remainingTokens: number };
      };
      // Leave 3 000 tokens.
      await db.insert(usageRecords).values({
        userId: user.id,
        turnKey: `test-estimate:${crypto.randomUUID()}`,
        model: "test",
        inputTokens: usage.remainingTokens - 3_000,
      });
      try {
        const big = await gatewayCall(stackKey, message("hello", { max_tokens: 5_000 }));
        expect(big.status).toBe(402);
        const body = (await big.json()) as { error: { type: string; message: string } };
        expect(body.error.type).toBe("billing_error");
        expect(body.error.message).toContain("max_tokens");
        // ~12k-token prompt (48 KB), small max_tokens: the prompt alone is over.
        const long = await gatewayCall(stackKey, message("x ".repeat(24_000), { max_tokens: 10 }));
        expect(long.status).toBe(402);
        const fits = await gatewayCall(stackKey, message("hello", { max_tokens: 100 }));
        expect(fits.status).toBe(200);
      } finally {
        await db.delete(usageRecords).where(like(usageRecords.turnKey, "test-estimate:%"));
      }
    });

    it("passes upstream errors through in Anthropic's shape with retry-after; refuses bad requests", async () => {
      const stackKey = await stackKeyFor(user);
      const limited = await gatewayCall(
        stackKey,
        message(`[[fail:429 times=1 id=${crypto.randomUUID()}]] hi`),
      );
      expect(limited.status).toBe(429);
      expect(limited.headers.get("retry-after")).toBe("0");
      expect(await limited.json()).toMatchObject({ type: "error", error: { type: "rate_limit_error" } });

      const model = await gatewayCall(
        stackKey,
        JSON.stringify({ model: "gpt-4o", max_tokens: 1, messages: [] }),
      );
      expect(model.status).toBe(400);
      expect(await model.json()).toMatchObject({ error: { type: "invalid_request_error" } });
      const search = await gatewayCall(
        stackKey,
        message("hi", { tools: [{ type: "web_search_20250305", name: "web_search" }] }),
      );
      expect(search.status).toBe(400);
      const huge = await gatewayCall(stackKey, message("x".repeat(5 * 1024 * 1024)));
      expect(huge.status).toBe(413);
      // wrangler dev itself sometimes answers an oversize body first (docs/api.md); ours says why.
      if (huge.headers.get("content-type")?.includes("json"))
        expect(await huge.json()).toMatchObject({ error: { type: "request_too_large" } });
    }, 60_000);

    it("refuses with the plan's allowance error (402 billing_error) once the allowance is used up", async () => {
      const stackKey = await stackKeyFor(user);
      const db = stackDb();
      await db.insert(usageRecords).values({
        userId: user.id,
        turnKey: `test-exhaust:${crypto.randomUUID()}`,
        model: "test",
        inputTokens: 2_000_000_000,
      });
      const refused = await gatewayCall(stackKey, message("hello"));
      expect(refused.status).toBe(402);
      const body = (await refused.json()) as { type: string; error: { type: string; message: string } };
      expect(body).toMatchObject({ type: "error", error: { type: "billing_error" } });
      expect(body.error.message).toContain("/billing");
      await db.delete(usageRecords).where(like(usageRecords.turnKey, "test-exhaust:%"));
    });

    it("refuses a revoked credential (what destroying the stack does) at once", async () => {
      const stackKey = await stackKeyFor(user);
      expect((await gatewayCall(stackKey, message("still mine"))).status).toBe(200);
      // The provisioner's own revocation, against the stack's database (no public route destroys a stack).
      await postgresGatewayKeys(
        { DATABASE_URL: inject("stackDatabaseUrl"), DB_WS_PROXY: inject("stackWsProxy") } as ProvisionerEnv,
        user.id,
        "growqr-runtime",
      ).revoke();
      const after = await gatewayCall(stackKey, message("and now?"));
      expect(after.status).toBe(401);
      expect(await after.json()).toMatchObject({ error: { type: "authentication_error" } });
    });
  });
});
