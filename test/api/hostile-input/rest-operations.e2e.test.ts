import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiUrl, call, signUp } from "../../support/api";
import { runCases, stats } from "../../support/hostile-http";
import {
  foreignIdCases,
  junkCases,
  operationTests,
  refusedCases,
  textCases,
  WRITES_ON_SUCCESS,
} from "../../support/hostile-http-cases";
import {
  closeDatabase,
  type Footprint,
  footprint,
  NOTHING,
  openDatabase,
  RUNS,
  SEED,
  sample,
} from "../../support/hostile-input";
import { expectVictimUntouched, type HostileUsers, hostileUsers } from "../../support/hostile-users";
import { loadOperations } from "../../support/openapi-operations";

/**
 * Hostile input over every operation of the served OpenAPI document (the suite: `test/support/hostile-input.ts`):
 * refused requests, other users' ids and hostile text within the limits, for each operation. The first file of
 * the suite: its samples are numbered from 1 (`test/support/hostile-seeds.ts`).
 */

const { operations } = await loadOperations(apiUrl());

let users: HostileUsers;

beforeAll(async () => {
  openDatabase();
  users = await hostileUsers({ victim: true });
}, 240_000);

afterAll(closeDatabase);

describe("hostile input over every operation of the OpenAPI document", () => {
  const started = Date.now();

  afterAll(() => {
    const rows = [...stats].map(([key, statuses]) => {
      const counts = new Map<number, number>();
      for (const s of statuses) counts.set(s, (counts.get(s) ?? 0) + 1);
      const spread = [...counts].map(([s, n]) => `${s}×${n}`).join(" ");
      return `  ${key.padEnd(32)} ${String(statuses.length).padStart(4)}  ${spread}`;
    });
    const total = [...stats.values()].reduce((n, s) => n + s.length, 0);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    console.info(
      `hostile-input: ${total} HTTP cases over ${stats.size} operations in ${seconds} s (seed ${SEED})\n${rows.join("\n")}`,
    );
  });

  it("knows every operation (the document lists the API's routes)", () => {
    expect(operations.length).toBeGreaterThan(20);
    const keys = operations.map((op) => op.key);
    for (const key of [
      "POST /threads",
      "PUT /memory/file",
      "POST /webhooks/stripe",
      "POST /subagents/{id}/cancel",
    ])
      expect(keys).toContain(key);
  });

  // Webhooks have none: signed by Stripe, not by a user (stripe-webhooks.e2e.test.ts).
  for (const op of operations) {
    const tests = operationTests(op);

    if (tests.includes("junk")) {
      it(`${op.key}: junk query and headers`, async () => {
        const { problems } = await runCases(op, sample(junkCases(op), Math.ceil(RUNS / 4)));
        expect(problems, problems.join("\n")).toEqual([]);
      });
    }

    if (tests.includes("refused")) {
      it(`${op.key}: refuses broken requests with a documented 4xx and writes nothing`, async () => {
        const user = await signUp("fuzz");
        const { problems } = await runCases(op, sample(refusedCases(op, user, users.badAuth), RUNS));
        expect(problems, problems.join("\n")).toEqual([]);
        expect(await footprint(user.id)).toEqual(NOTHING);
      });
    }

    if (tests.includes("foreign-id")) {
      it(`${op.key}: other users' ids are 404`, async () => {
        const arbitrary = foreignIdCases(op, users.intruder, users.victim);
        const { problems } = await runCases(op, sample(arbitrary, Math.ceil(RUNS / 3)));
        expect(problems, problems.join("\n")).toEqual([]);
      });
    }

    if (tests.includes("text")) {
      it(`${op.key}: hostile text inside the limits never fails the server`, async () => {
        const user = await signUp("text");
        const created = await call("/api/threads", user.token, { method: "POST", body: "{}" });
        const ownThreadId = ((await created.json()) as { id: string }).id;
        const before = await footprint(user.id);
        const { outcomes, problems } = await runCases(op, sample(textCases(op, user, ownThreadId), RUNS));
        expect(problems, problems.join("\n")).toEqual([]);
        const successes = outcomes.filter((o) => o.outcome.status < 300).length;
        const expected = { ...before };
        for (const [table, n] of Object.entries(WRITES_ON_SUCCESS[op.key]?.(successes) ?? {}))
          expected[table as keyof Footprint] += n;
        expect(await footprint(user.id)).toEqual(expected);
      });
    }
  }
});

it("leaves the other user's account exactly as it was", () => expectVictimUntouched(users));
