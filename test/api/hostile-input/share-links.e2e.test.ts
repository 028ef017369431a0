import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { actorClient } from "../../support/actors";
import { apiUrl, call, signUp } from "../../support/api";
import { attempt } from "../../support/hostile-actors";
import {
  CONCURRENCY,
  closeDatabase,
  mapLimit,
  openDatabase,
  RUNS,
  sample,
  startSamplesAt,
} from "../../support/hostile-input";
import { samplesBefore } from "../../support/hostile-seeds";
import { expectVictimUntouched, type HostileUsers, hostileUsers } from "../../support/hostile-users";

/**
 * Hostile input against share links (the suite: `test/support/hostile-input.ts`; the routes are also walked by
 * `rest-operations.e2e.test.ts`, the victim's link ids included): guessed and revoked tokens get one answer, other
 * users' thread and link ids are 404, and a link's token is no credential for an actor.
 */

startSamplesAt(await samplesBefore("share-links"));

let users: HostileUsers;

beforeAll(async () => {
  openDatabase();
  users = await hostileUsers({ victim: true });
}, 240_000);

afterAll(closeDatabase);

const BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".split("");
const shared = (token: string, rest = "", init: RequestInit = {}) =>
  fetch(`${apiUrl()}/api/shared/${token}${rest}`, init);

/** A refusal's code and message (the request id differs), after checking it is a 404. */
async function notFoundBody(response: Response) {
  const text = await response.text();
  expect(response.status, text).toBe(404);
  const { error } = JSON.parse(text) as { error: { code: string; message: string } };
  return { code: error.code, message: error.message };
}

describe("share links under attack", () => {
  it("guessed tokens of the right shape and a revoked one all get the same 404", async () => {
    const owner = await signUp("share-revoked");
    const thread = (await (
      await call("/api/threads", owner.token, { method: "POST", body: "{}" })
    ).json()) as {
      id: string;
    };
    const made = (await (
      await call(`/api/threads/${thread.id}/shares`, owner.token, { method: "POST", body: "{}" })
    ).json()) as { id: string; token: string };
    const revoke = await call(`/api/threads/${thread.id}/shares/${made.id}`, owner.token, {
      method: "DELETE",
    });
    expect(revoke.status).toBe(200);

    const expected = { code: "share_not_found", message: "No such share link" };
    const guesses = sample(
      fc.array(fc.constantFrom(...BASE64URL), { minLength: 43, maxLength: 43 }),
      RUNS,
    ).map((chars) => chars.join(""));
    const tokens = [...guesses, made.token];
    const answers = await mapLimit(tokens, CONCURRENCY, async (token) => [
      await notFoundBody(await shared(token)),
      await notFoundBody(await shared(token, "/events")),
      await notFoundBody(await shared(token, "/events", { headers: { accept: "text/event-stream" } })),
    ]);
    for (const answer of answers.flat()) expect(answer).toEqual(expected);
  });

  it("another user's thread and link ids are 404 on the owner's routes, and the victim's link keeps working", async () => {
    const { victim, intruder } = users;
    const own = (await (
      await call("/api/threads", intruder.token, { method: "POST", body: "{}" })
    ).json()) as {
      id: string;
    };
    const attempts = [
      call(`/api/threads/${victim.threadId}/shares`, intruder.token),
      call(`/api/threads/${victim.threadId}/shares`, intruder.token, { method: "POST", body: "{}" }),
      call(`/api/threads/${victim.threadId}/shares/${victim.shareId}`, intruder.token, { method: "DELETE" }),
      call(`/api/threads/${own.id}/shares/${victim.shareId}`, intruder.token, { method: "DELETE" }),
    ];
    for (const response of await Promise.all(attempts)) expect(response.status).toBe(404);
    expect((await shared(victim.shareToken)).status).toBe(200);
    // The intruder's own thread is cleaned up so their footprint is only what they made.
    await call(`/api/threads/${own.id}`, intruder.token, { method: "DELETE" });
  });

  it("a link's token is no credential for the owner's actors", async () => {
    const { victim } = users;
    const client = actorClient(apiUrl(), victim.shareToken);
    const agent = client.growAgent.getOrCreate([victim.id], { params: { token: victim.shareToken } });
    const outcome = await attempt(() => agent.whoami());
    expect(outcome.ok).toBe(false);
    await client.dispose();
  });

  it("leaves the other user's account exactly as it was", () => expectVictimUntouched(users));
});
