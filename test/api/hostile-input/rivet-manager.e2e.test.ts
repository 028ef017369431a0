import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { actorClient } from "../../support/actors";
import { apiUrl, signUp } from "../../support/api";
import {
  actorRows,
  CONCURRENCY,
  closeDatabase,
  footprint,
  mapLimit,
  NOTHING,
  openDatabase,
  RUNS,
  sample,
  startSamplesAt,
  type User,
} from "../../support/hostile-input";
import {
  actorRequestBody,
  rivetProblem,
  rivetUrl,
  sendRivet,
  showRivetCase,
} from "../../support/hostile-rivet";
import { rivetCases } from "../../support/hostile-rivet-cases";
import { samplesBefore } from "../../support/hostile-seeds";
import {
  actorIdOf,
  expectVictimUntouched,
  type HostileUsers,
  hostileUsers,
  type Victim,
} from "../../support/hostile-users";
import { RIVET_CLOSED_ROUTES, RIVET_ROUTES } from "../../support/openapi-operations";

/**
 * Hostile input against RivetKit's manager routes, `/api/rivet/*` (the suite: `test/support/hostile-input.ts`):
 * strangers, bad tokens and params, other users' keys and actors, oversized and garbage bodies, the WebSocket.
 */

startSamplesAt(await samplesBefore("rivet-manager"));

let users: HostileUsers;
let victim: Victim;
let intruder: User;

beforeAll(async () => {
  openDatabase();
  users = await hostileUsers({ victim: true });
  ({ victim, intruder } = users);
}, 240_000);

afterAll(closeDatabase);

describe("RivetKit's manager routes (/api/rivet): credentials, keys, bodies, encodings", () => {
  const rivetStats = new Map<string, number[]>();
  afterAll(() => {
    const rows = [...rivetStats].map(([key, statuses]) => {
      const counts = new Map<number, number>();
      for (const status of statuses) counts.set(status, (counts.get(status) ?? 0) + 1);
      const spread = [...counts].map(([status, n]) => `${status}×${n}`).join(" ");
      return `  ${key.padEnd(44)} ${String(statuses.length).padStart(4)}  ${spread}`;
    });
    console.info(`hostile-input: RivetKit routes\n${rows.join("\n")}`);
  });

  for (const route of RIVET_ROUTES) {
    it(`${route.key}: refuses strangers, bad tokens, other users' keys, oversized and garbage bodies; creates nothing`, async () => {
      // Each route its own users: the valid-token cases stay within one user's rate limit.
      const fuzzer = await signUp("rivetfuzz");
      const ownerUser = await signUp("rivetowner");
      const ownerActor = await fetch(rivetUrl("/actors"), {
        method: "PUT",
        headers: { authorization: `Bearer ${ownerUser.token}`, "content-type": "application/json" },
        body: actorRequestBody("growAgent", ownerUser.id),
      });
      expect(ownerActor.status).toBe(200);
      const rivetOwner = {
        ...ownerUser,
        growAgentActorId: await actorIdOf(ownerUser, "growAgent", ownerUser.id),
      };
      // One call of their own first: an actor is listed in `actors` on its first connection.
      await actorClient(apiUrl(), ownerUser.token)
        .growAgent.getForId(rivetOwner.growAgentActorId, { params: { token: ownerUser.token } })
        .whoami();
      const ownerBefore = { rows: await footprint(ownerUser.id), actors: await actorRows(ownerUser.id) };

      const cases = sample(rivetCases(route, fuzzer, rivetOwner, users), RUNS * 2);
      const outcomes = await mapLimit(cases, route.webSocket ? 3 : CONCURRENCY, async (c) => ({
        c,
        outcome: await sendRivet(c),
      }));
      rivetStats.set(
        route.key,
        outcomes.map((o) => o.outcome.status),
      );
      const problems = outcomes
        .map(({ c, outcome }) => {
          const problem = rivetProblem(c, outcome);
          return (
            problem &&
            `${showRivetCase(c)}\n    → ${outcome.status} ${outcome.closeReason ?? ""} (${problem}): ${outcome.text.slice(0, 300)}`
          );
        })
        .filter((p): p is string => p !== undefined);
      expect(problems, problems.join("\n")).toEqual([]);

      // Nothing was created: the fuzzer has no actor (not even under their own key), the owner nothing new, and
      // the victim's lookups find no actor planted under their keys.
      expect(await footprint(fuzzer.id)).toEqual(NOTHING);
      expect(await actorRows(fuzzer.id)).toBe(0);
      const fuzzerOwn = await fetch(rivetUrl(`/actors?name=growAgent&key=${fuzzer.id}`), {
        headers: { authorization: `Bearer ${fuzzer.token}` },
      });
      expect(await fuzzerOwn.json()).toEqual({ actors: [] });
      expect({ rows: await footprint(ownerUser.id), actors: await actorRows(ownerUser.id) }).toEqual(
        ownerBefore,
      );
      const planted = await fetch(rivetUrl(`/actors?name=subAgent&key=${victim.id}/planted`), {
        headers: { authorization: `Bearer ${victim.token}` },
      });
      expect(await planted.json()).toEqual({ actors: [] });
    });
  }

  it("routes no client needs (KV, listing, inspector, raw requests, test routes) answer 404 to anyone", async () => {
    const tokens = [undefined, intruder.token, victim.token];
    const problems: string[] = [];
    for (const [method, template] of RIVET_CLOSED_ROUTES) {
      for (const actorId of [victim.growAgentActorId, victim.subAgentActorId]) {
        const path = template
          .replaceAll("{id}", encodeURIComponent(actorId))
          .replaceAll("{kvKey}", encodeURIComponent(btoa("persist")));
        for (const token of tokens) {
          const response = await fetch(rivetUrl(path), {
            method,
            headers: token
              ? { authorization: `Bearer ${token}`, "x-rivet-conn-params": JSON.stringify({ token }) }
              : {},
          });
          const text = await response.text();
          if (response.status !== 404 || !text.includes('"code":"not_found"'))
            problems.push(
              `${method} ${path} (${token ? "with a token" : "no token"}) → ${response.status} ${text.slice(0, 200)}`,
            );
        }
      }
    }
    expect(problems, problems.join("\n")).toEqual([]);
  });
});

it("leaves the other user's account exactly as it was", () => expectVictimUntouched(users));
