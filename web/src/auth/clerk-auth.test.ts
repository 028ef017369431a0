import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { authMiddleware } from "../api/client";
import type { ClerkAuthProvider } from "./auth-provider";
import {
  type ClerkLike,
  type ClerkResourcesLike,
  type ClerkSessionLike,
  type ClerkUserLike,
  createClerkAuth,
  jwtExpiry,
} from "./clerk-auth";
import { createAuthProvider } from "./session";

const TOKEN_LIFETIME_MS = 60_000;
/** Clerk's own cache hands a token out until this long before its exp (clerk-js' leeway). */
const CLERK_LEEWAY_MS = 10_000;

const base64url = (value: object) =>
  btoa(JSON.stringify(value)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
const jwt = (claims: object) => `${base64url({ alg: "RS256", typ: "JWT" })}.${base64url(claims)}.signature`;

/** A Clerk session as clerk-js behaves: a cached token until shortly before its exp, a new one on `skipCache`. */
class FakeSession implements ClerkSessionLike {
  calls: Array<{ skipCache?: boolean } | undefined> = [];
  issued = 0;
  private current: { token: string; exp: number } | null = null;
  constructor(
    readonly id: string,
    private readonly userId: string,
  ) {}

  async getToken(options?: { skipCache?: boolean }): Promise<string | null> {
    this.calls.push(options);
    const now = Date.now();
    if (!options?.skipCache && this.current && this.current.exp - now > CLERK_LEEWAY_MS)
      return this.current.token;
    this.issued++;
    const exp = now + TOKEN_LIFETIME_MS;
    this.current = { token: jwt({ sub: this.userId, sid: this.id, n: this.issued, exp: exp / 1000 }), exp };
    return this.current.token;
  }
}

class FakeClerk implements ClerkLike {
  session: FakeSession | null = null;
  user: ClerkUserLike | null = null;
  mounted: HTMLDivElement[] = [];
  signOuts = 0;
  private listeners = new Set<(resources: ClerkResourcesLike) => void>();

  addListener(listener: (resources: ClerkResourcesLike) => void) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  /** What Clerk's sign-in component does once the user is through. */
  completeSignIn(userId: string, sessionId = `sess_${userId}`) {
    this.session = new FakeSession(sessionId, userId);
    this.user = {
      id: userId,
      username: userId,
      primaryEmailAddress: { emailAddress: `${userId}@example.com` },
    };
    this.emit();
  }
  async signOut() {
    this.signOuts++;
    this.session = null;
    this.user = null;
    this.emit();
  }
  mountSignIn(node: HTMLDivElement) {
    this.mounted.push(node);
  }
  unmountSignIn(node: HTMLDivElement) {
    this.mounted = this.mounted.filter((n) => n !== node);
  }
  private emit() {
    for (const listener of this.listeners) listener({ session: this.session, user: this.user });
  }
}

const PK = "pk_test_Y2xlcmsuZXhhbXBsZS5jb20k"; // clerk.example.com$

async function signedIn(userId = "user_alice"): Promise<{ clerk: FakeClerk; auth: ClerkAuthProvider }> {
  const clerk = new FakeClerk();
  clerk.completeSignIn(userId);
  const auth = createClerkAuth({ publishableKey: PK, loadClerk: async () => clerk });
  await vi.waitFor(() => expect(auth.status()).toBe("ready"));
  return { clerk, auth };
}

const restAuthorization = async (auth: ClerkAuthProvider) => {
  const request = new Request("http://127.0.0.1/api/me");
  const middleware = authMiddleware(auth);
  const out = (await middleware.onRequest?.({ request } as Parameters<
    NonNullable<typeof middleware.onRequest>
  >[0])) as Request | undefined;
  return (out ?? request).headers.get("authorization");
};

describe("Clerk auth provider (fake Clerk)", () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: new Date("2026-12-01T10:00:00Z") });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("hands Clerk's session token to the REST client (and the live channel, which asks `token()` too)", async () => {
    const { clerk, auth } = await signedIn();
    expect(auth.kind).toBe("clerk");
    expect(auth.user()).toEqual({ id: "user_alice", name: "user_alice" });

    const token = await auth.token();
    expect(token).toMatch(/^ey/);
    // Fetched when the session became known (vi.waitFor moved the fake clock a little since).
    expect(jwtExpiry(token ?? "")).toBeGreaterThan(Date.now() + TOKEN_LIFETIME_MS - 1_000);
    expect(await restAuthorization(auth)).toBe(`Bearer ${token}`);
    // One token from Clerk, fetched as soon as the session was known; every consumer got that one.
    expect(clerk.session?.issued).toBe(1);
  });

  it("renews the token ahead of its expiry, without waiting for a request", async () => {
    const { clerk, auth } = await signedIn();
    const session = clerk.session as FakeSession;
    const first = await auth.token();
    const firstExp = jwtExpiry(first ?? "") ?? 0;

    // Still well within its lifetime: the same token, no call to Clerk.
    await vi.advanceTimersByTimeAsync(TOKEN_LIFETIME_MS - 16_000);
    expect(await auth.token()).toBe(first);
    const callsBefore = session.calls.length;

    // 15 s before exp the timer renews it. Clerk's cache would still hand out the old one, so it asks past the cache.
    await vi.advanceTimersByTimeAsync(1_000);
    expect(session.calls.slice(callsBefore)).toEqual([undefined, { skipCache: true }]);
    const second = await auth.token();
    expect(second).not.toBe(first);
    expect(jwtExpiry(second ?? "")).toBeGreaterThan(firstExp);
    expect(session.calls.length).toBe(callsBefore + 2);
    expect(await restAuthorization(auth)).toBe(`Bearer ${second}`);

    // And again for the next one.
    await vi.advanceTimersByTimeAsync(TOKEN_LIFETIME_MS);
    const third = await auth.token();
    expect(third).not.toBe(second);
    expect(session.issued).toBe(3);
  });

  it("renews on demand when the clock ran past the timer (a suspended tab)", async () => {
    const { clerk, auth } = await signedIn();
    const first = await auth.token();
    vi.setSystemTime(Date.now() + TOKEN_LIFETIME_MS + 5_000); // the timer has not run
    const next = await auth.token();
    expect(next).not.toBe(first);
    expect((jwtExpiry(next ?? "") ?? 0) - Date.now()).toBe(TOKEN_LIFETIME_MS);
    expect(clerk.session?.issued).toBe(2);
  });

  it("sign-out ends the Clerk session and clears the token everywhere", async () => {
    const { clerk, auth } = await signedIn();
    expect(await auth.token()).toBeTruthy();

    await auth.signOut();
    expect(clerk.signOuts).toBe(1);
    expect(auth.user()).toBeNull();
    expect(await auth.token()).toBeNull();
    expect(await restAuthorization(auth)).toBeNull();
    // No renewal left running for the old session.
    expect(vi.getTimerCount()).toBe(0);
  });

  it("follows a sign-out made elsewhere (another tab, Clerk ending the session)", async () => {
    const { clerk, auth } = await signedIn();
    await auth.token();
    await clerk.signOut();
    expect(auth.user()).toBeNull();
    expect(await auth.token()).toBeNull();
    expect(vi.getTimerCount()).toBe(0);
  });

  it("signed out at load: mounts Clerk's sign-in, and a completed sign-in gives the user and a token", async () => {
    const clerk = new FakeClerk();
    const auth = createClerkAuth({ publishableKey: PK, loadClerk: async () => clerk });
    const node = {} as HTMLDivElement;
    const unmount = auth.mountSignIn(node);
    expect(auth.status()).toBe("loading");
    await vi.waitFor(() => expect(clerk.mounted).toEqual([node]));
    expect(auth.user()).toBeNull();
    expect(await auth.token()).toBeNull();

    clerk.completeSignIn("user_bob");
    expect(auth.user()).toEqual({ id: "user_bob", name: "user_bob" });
    const token = await auth.token();
    expect(JSON.parse(atob((token ?? "").split(".")[1] ?? "")).sub).toBe("user_bob");
    unmount();
    expect(clerk.mounted).toEqual([]);
  });

  it("a token of the previous session is never handed out after the session changed", async () => {
    const { clerk, auth } = await signedIn("user_alice");
    const alice = await auth.token();
    clerk.completeSignIn("user_carol", "sess_carol");
    expect(auth.user()?.id).toBe("user_carol");
    const carol = await auth.token();
    expect(carol).not.toBe(alice);
    expect(JSON.parse(atob((carol ?? "").split(".")[1] ?? "")).sub).toBe("user_carol");
  });

  it("reports a Clerk that cannot be loaded, and has no token", async () => {
    const auth = createClerkAuth({
      publishableKey: PK,
      loadClerk: async () => {
        throw new Error("network down");
      },
    });
    await vi.waitFor(() => expect(auth.status()).toBe("failed"));
    expect(auth.problem()).toMatch(/network down/);
    expect(await auth.token()).toBeNull();
    expect(auth.user()).toBeNull();
  });
});

describe("choosing the provider", () => {
  it("falls back to the dev issuer without a publishable key", () => {
    expect(createAuthProvider({}).kind).toBe("dev");
    expect(createAuthProvider({ clerkPublishableKey: undefined }).kind).toBe("dev");
    expect(createAuthProvider({ clerkPublishableKey: "" }).kind).toBe("dev");
  });

  it("uses Clerk when a publishable key is configured", async () => {
    const clerk = new FakeClerk();
    const loadClerk = vi.fn(async () => clerk);
    const auth = createAuthProvider({ clerkPublishableKey: PK }, { loadClerk });
    expect(auth.kind).toBe("clerk");
    await vi.waitFor(() => expect(auth.status()).toBe("ready"));
    expect(loadClerk).toHaveBeenCalledWith(PK);
  });
});
