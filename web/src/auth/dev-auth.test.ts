import { afterEach, describe, expect, it, vi } from "vitest";
import { createDevAuth } from "./dev-auth";

const memoryStorage = () => {
  const items = new Map<string, string>();
  return {
    items,
    getItem: (key: string) => items.get(key) ?? null,
    setItem: (key: string, value: string) => void items.set(key, value),
    removeItem: (key: string) => void items.delete(key),
  };
};

/** The dev issuer's `POST /sign-in`: a numbered token per call, valid for `expiresIn` seconds. */
const issuer = (expiresIn = 3600) => {
  let n = 0;
  return vi.fn(async (_input: RequestInfo | URL, init?: RequestInit) => {
    const { username } = JSON.parse(String(init?.body)) as { username: string };
    return Response.json({ token: `token-${username}-${++n}`, expiresIn });
  });
};

describe("dev issuer auth provider", () => {
  afterEach(() => vi.useRealTimers());

  it("signs in through /dev-auth, keeps the session in storage, renews near expiry, signs out", async () => {
    vi.useFakeTimers({ now: new Date("2026-12-01T10:00:00Z") });
    const storage = memoryStorage();
    const fetch = issuer(120);
    const auth = createDevAuth({ fetch, storage });
    expect(auth.kind).toBe("dev");
    expect(auth.status()).toBe("ready");
    expect(auth.user()).toBeNull();
    expect(await auth.token()).toBeNull();

    await auth.signIn("alice");
    expect(fetch).toHaveBeenCalledWith("/dev-auth/sign-in", expect.objectContaining({ method: "POST" }));
    expect(auth.user()).toEqual({ id: "alice", name: "alice" });
    expect(await auth.token()).toBe("token-alice-1");
    expect(JSON.parse(storage.items.get("growqr.session") ?? "{}").token).toBe("token-alice-1");

    // A reload finds the session again.
    expect(createDevAuth({ fetch, storage }).user()).toEqual({ id: "alice", name: "alice" });

    // Less than a minute left: signed in again for a new token, same user.
    vi.setSystemTime(Date.now() + 61_000);
    expect(await auth.token()).toBe("token-alice-2");
    expect(auth.user()?.id).toBe("alice");

    await auth.signOut();
    expect(auth.user()).toBeNull();
    expect(await auth.token()).toBeNull();
    expect(storage.items.size).toBe(0);
  });

  it("says why a sign-in was refused", async () => {
    const fetch = vi.fn(async () =>
      Response.json({ error: { code: "invalid_request", message: "Bad user name" } }, { status: 400 }),
    );
    const auth = createDevAuth({ fetch, storage: null });
    await expect(auth.signIn("-")).rejects.toThrow("Bad user name");
    expect(auth.user()).toBeNull();
  });
});
