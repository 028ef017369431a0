import { createSignal } from "solid-js";
import type { DevAuthProvider, SignedInUser } from "./auth-provider";

/**
 * The local dev issuer's sign-in: `POST /dev-auth/sign-in {username}` (Vite proxies it to the issuer `npm run dev`
 * starts) answers a Clerk-shaped session token for any user name. The session is kept in sessionStorage (one tab,
 * survives a reload) and renewed by signing in again when it is about to expire.
 */
interface StoredSession {
  username: string;
  token: string;
  expiresAt: number;
}

const STORAGE_KEY = "growqr.session";
const REFRESH_MARGIN_MS = 60_000;

export interface DevAuthOptions {
  fetch?: typeof fetch;
  /** Where the session is kept (sessionStorage in the browser; none where there is none). */
  storage?: Pick<Storage, "getItem" | "setItem" | "removeItem"> | null;
}

const browserStorage = (): Storage | null => {
  try {
    return globalThis.sessionStorage ?? null;
  } catch {
    return null;
  }
};

export function createDevAuth(options: DevAuthOptions = {}): DevAuthProvider {
  const storage = options.storage === undefined ? browserStorage() : options.storage;
  const doFetch = options.fetch ?? ((input, init) => fetch(input, init));

  const load = (): StoredSession | null => {
    try {
      const raw = storage?.getItem(STORAGE_KEY);
      return raw ? (JSON.parse(raw) as StoredSession) : null;
    } catch {
      return null;
    }
  };
  const [stored, setStored] = createSignal<StoredSession | null>(load());
  const [user, setUser] = createSignal<SignedInUser | null>(toUser(stored()));

  const store = (next: StoredSession | null) => {
    if (next) storage?.setItem(STORAGE_KEY, JSON.stringify(next));
    else storage?.removeItem(STORAGE_KEY);
    setStored(next);
    // A renewed token for the same user is no new sign-in: only a change of user notifies.
    if (user()?.id !== next?.username) setUser(toUser(next));
  };

  const signIn = async (username: string): Promise<void> => {
    const response = await doFetch("/dev-auth/sign-in", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username }),
    });
    const body = (await response.json()) as {
      token?: string;
      expiresIn?: number;
      error?: { message: string };
    };
    if (!response.ok || !body.token || !body.expiresIn)
      throw new Error(body.error?.message ?? "Sign-in failed");
    store({ username, token: body.token, expiresAt: Date.now() + body.expiresIn * 1000 });
  };

  return {
    kind: "dev",
    user,
    status: () => "ready",
    problem: () => null,
    signIn,
    async signOut() {
      store(null);
    },
    async token() {
      const current = stored();
      if (!current) return null;
      if (current.expiresAt - Date.now() > REFRESH_MARGIN_MS) return current.token;
      await signIn(current.username);
      return stored()?.token ?? null;
    },
  };
}

const toUser = (session: StoredSession | null): SignedInUser | null =>
  session ? { id: session.username, name: session.username } : null;
