import { createSignal } from "solid-js";
import type { ClerkAuthProvider, SignedInUser } from "./auth-provider";

/**
 * The part of a loaded `Clerk` (`@clerk/clerk-js`) this provider uses. The real one comes from `clerk-loader.ts`
 * (a lazy chunk); tests hand in a fake.
 */
export interface ClerkLike {
  readonly session: ClerkSessionLike | null | undefined;
  readonly user: ClerkUserLike | null | undefined;
  addListener(listener: (resources: ClerkResourcesLike) => void): () => void;
  mountSignIn(node: HTMLDivElement, props?: Record<string, unknown>): void;
  unmountSignIn(node: HTMLDivElement): void;
  signOut(): Promise<void>;
}

export interface ClerkSessionLike {
  readonly id: string;
  getToken(options?: { skipCache?: boolean }): Promise<string | null>;
}

export interface ClerkUserLike {
  readonly id: string;
  readonly username?: string | null;
  readonly fullName?: string | null;
  readonly primaryEmailAddress?: { emailAddress: string } | null;
}

export interface ClerkResourcesLike {
  session?: ClerkSessionLike | null;
  user?: ClerkUserLike | null;
}

export interface ClerkAuthOptions {
  publishableKey: string;
  /** Loads Clerk and resolves once `load()` has finished (`clerk-loader.ts` in the app, a fake in tests). */
  loadClerk: (publishableKey: string) => Promise<ClerkLike>;
  /**
   * A token is renewed this long before its `exp` (Clerk's session tokens live 60 s; Clerk's own cache hands one
   * out until 10 s before it expires, so a renewal inside that window asks Clerk for a new one outright).
   */
  refreshMarginMs?: number;
}

interface CachedToken {
  sessionId: string;
  value: string;
  expiresAt: number;
}

const DEFAULT_MARGIN_MS = 15_000;
/** A renewal that failed (network) is tried again this much later, while the token in hand may still be valid. */
const RETRY_MS = 5_000;

/**
 * Production sign-in through Clerk. Loading starts at once (the SPA cannot know who is signed in before Clerk has read
 * its session). The session token comes from `session.getToken()`, is kept until shortly before its `exp`, and is
 * renewed on a timer ahead of expiry, so `token()` rarely waits. Sign-in and sign-out in Clerk (this tab, another tab,
 * or a session Clerk ended) reach the app through Clerk's listener.
 */
export function createClerkAuth(options: ClerkAuthOptions): ClerkAuthProvider {
  const margin = options.refreshMarginMs ?? DEFAULT_MARGIN_MS;
  const [status, setStatus] = createSignal<"loading" | "ready" | "failed">("loading");
  const [problem, setProblem] = createSignal<string | null>(null);
  const [user, setUser] = createSignal<SignedInUser | null>(null);

  let clerk: ClerkLike | null = null;
  let cached: CachedToken | null = null;
  let inFlight: Promise<string | null> | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  /** Bumped by every renewal and by forget(): an answer for an older one is dropped. */
  let generations = 0;

  const forget = () => {
    clearTimeout(timer);
    timer = undefined;
    cached = null;
    inFlight = null;
    generations++;
  };

  const schedule = (delayMs: number) => {
    clearTimeout(timer);
    timer = setTimeout(
      () => {
        timer = undefined;
        void renew().catch(() => schedule(RETRY_MS));
      },
      Math.max(1_000, delayMs),
    );
  };

  const fresh = (token: CachedToken | null, sessionId: string): token is CachedToken =>
    !!token && token.sessionId === sessionId && token.expiresAt - Date.now() > margin;

  /** Asks Clerk for the session's token; a token about to expire (Clerk's cache) is replaced by a new one. */
  const renew = (): Promise<string | null> => {
    if (inFlight) return inFlight;
    const generation = ++generations;
    const attempt = (async () => {
      const session = clerk?.session;
      if (!session) return null;
      let value = await session.getToken();
      let next = value ? tokenFor(session.id, value) : null;
      if (value && !fresh(next, session.id)) {
        value = await session.getToken({ skipCache: true });
        next = value ? tokenFor(session.id, value) : null;
      }
      // Signed out (or another session) while Clerk answered: that token belongs to nobody here.
      if (generation !== generations || clerk?.session?.id !== session.id) return null;
      cached = next;
      if (next) schedule(next.expiresAt - margin - Date.now());
      else clearTimeout(timer);
      return next?.value ?? null;
    })().finally(() => {
      if (generation === generations) inFlight = null;
    });
    inFlight = attempt;
    return attempt;
  };

  /** Clerk's view of the session changed (loaded, signed in, signed out, switched). */
  const sync = (
    session: ClerkSessionLike | null | undefined,
    clerkUser: ClerkUserLike | null | undefined,
  ) => {
    if (!session || !clerkUser) {
      forget();
      if (user()) setUser(null);
      return;
    }
    if (cached && cached.sessionId !== session.id) forget();
    if (user()?.id !== clerkUser.id) setUser({ id: clerkUser.id, name: displayName(clerkUser) });
    // Fetch the first token now (and keep renewing it), so the first request does not wait for Clerk.
    if (!cached && !inFlight && !timer) void renew().catch(() => schedule(RETRY_MS));
  };

  const ready: Promise<ClerkLike | null> = options.loadClerk(options.publishableKey).then(
    (loaded) => {
      clerk = loaded;
      sync(loaded.session, loaded.user);
      loaded.addListener((resources) => sync(resources.session, resources.user));
      setStatus("ready");
      return loaded;
    },
    (error: unknown) => {
      setProblem(`Sign-in could not be loaded: ${error instanceof Error ? error.message : String(error)}`);
      setStatus("failed");
      return null;
    },
  );

  return {
    kind: "clerk",
    user,
    status,
    problem,
    async token() {
      const loaded = await ready;
      const session = loaded?.session;
      if (!session) return null;
      if (fresh(cached, session.id)) return cached.value;
      return renew();
    },
    async signOut() {
      forget();
      setUser(null);
      const loaded = await ready;
      await loaded?.signOut();
    },
    mountSignIn(node) {
      let mounted = false;
      let cancelled = false;
      void ready.then((loaded) => {
        if (!loaded || cancelled) return;
        loaded.mountSignIn(node);
        mounted = true;
      });
      return () => {
        cancelled = true;
        if (mounted) clerk?.unmountSignIn(node);
      };
    },
  };
}

function tokenFor(sessionId: string, value: string): CachedToken {
  return { sessionId, value, expiresAt: jwtExpiry(value) ?? 0 };
}

/** `exp` of a JWT in ms since the epoch (not verified: the Worker does that), or null when it has none. */
export function jwtExpiry(token: string): number | null {
  try {
    const payload = token.split(".")[1] ?? "";
    const json = atob(
      payload
        .replace(/-/g, "+")
        .replace(/_/g, "/")
        .padEnd(Math.ceil(payload.length / 4) * 4, "="),
    );
    const exp = (JSON.parse(json) as { exp?: unknown }).exp;
    return typeof exp === "number" ? exp * 1000 : null;
  } catch {
    return null;
  }
}

const displayName = (user: ClerkUserLike): string =>
  user.username || user.fullName || user.primaryEmailAddress?.emailAddress || user.id;
