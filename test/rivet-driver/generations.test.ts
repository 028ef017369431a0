import { randomUUID } from "node:crypto";
import { type ActorError, createClient } from "rivetkit/client";
import { describe, expect, inject, it, vi } from "vitest";
import type { registry } from "./registry";

/**
 * What the driver guarantees beyond RivetKit's suite: ids are per generation (the upstream driver let a
 * stale id reach the re-created actor), concurrent first calls share one actor, the unscoped mount works.
 */
const base = inject("rivetDriverBase");

function client(encoding: "bare" | "json" = "bare", scope: string | undefined = randomUUID()) {
  const endpoint = scope ? `${base}/s/${scope}/api/rivet` : `${base}/api/rivet`;
  return createClient<typeof registry>({ endpoint, encoding, disableMetadataLookup: true });
}

async function errorOf(promise: Promise<unknown>): Promise<ActorError> {
  try {
    await promise;
  } catch (error) {
    return error as ActorError;
  }
  throw new Error("expected the call to fail");
}

/** Opens RivetKit's connection WebSocket to an actor id the way the client does; resolves with the close reason. */
function closeReason(actorId: string): Promise<string> {
  const url = `${base.replace("http", "ws")}/s/${randomUUID()}/api/rivet/gateway/${encodeURIComponent(actorId)}/connect`;
  const socket = new WebSocket(url, ["rivet", "rivet_encoding.bare"]);
  return new Promise((resolve, reject) => {
    socket.addEventListener("close", (event) => resolve(event.reason));
    socket.addEventListener("error", () => reject(new Error("WebSocket error")));
  });
}

async function destroyAndWait(c: ReturnType<typeof client>, key: string) {
  const handle = c.destroyActor.getOrCreate([key]);
  const id = await handle.resolve();
  await handle.destroy();
  await vi.waitFor(async () =>
    expect((await errorOf(c.destroyActor.getForId(id).getValue())).code).toBe("not_found"),
  );
  return id;
}

describe("actor generations", () => {
  it("answers not_found to an id from before a destroy and re-create, over HTTP and WebSocket", async () => {
    const c = client();
    const key = "generations";
    await c.destroyActor.getOrCreate([key]).setValue(7);
    const staleId = await destroyAndWait(c, key);

    const fresh = c.destroyActor.getOrCreate([key]);
    expect(await fresh.getValue()).toBe(0);
    const freshId = await fresh.resolve();
    expect(freshId).not.toBe(staleId);
    expect(freshId.split(":")[0]).toBe(staleId.split(":")[0]);
    expect(freshId.split(":")[1]).toBe("1");

    const viaHttp = await errorOf(c.destroyActor.getForId(staleId).getValue());
    expect([viaHttp.group, viaHttp.code]).toEqual(["actor", "not_found"]);

    expect(await closeReason(staleId)).toBe("actor.not_found");
    expect(await fresh.getValue()).toBe(0);
  });

  it("refuses ids it never issued", async () => {
    const c = client();
    for (const id of ["nonsense", `${"0".repeat(64)}:0`]) {
      const error = await errorOf(c.counter.getForId(id).getCount());
      expect([error.group, error.code]).toEqual(["actor", "not_found"]);
    }
  });

  it("creates one actor for twenty concurrent first calls to a fresh key", async () => {
    const c = client();
    const results = await Promise.all(
      Array.from({ length: 20 }, () => c.counter.getOrCreate(["burst"]).increment(1)),
    );
    expect(results.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });

  it("keeps scopes apart and serves the unscoped mount", async () => {
    const key = `unscoped-${randomUUID()}`;
    const [a, b, unscoped] = [client(), client(), client("bare", undefined)];
    await a.counter.getOrCreate([key]).increment(5);
    expect(await b.counter.getOrCreate([key]).getCount()).toBe(0);
    expect(await unscoped.counter.getOrCreate([key]).increment(2)).toBe(2);
    expect(await a.counter.getOrCreate([key]).getCount()).toBe(5);
  });

  it("rejects create on a taken key with actor/duplicate_key", async () => {
    const c = client();
    await c.counter.create(["dup"]);
    const error = await errorOf(c.counter.create(["dup"]));
    expect([error.group, error.code]).toEqual(["actor", "duplicate_key"]);
  });
});
