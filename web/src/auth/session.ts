import { createSignal } from "solid-js";

/**
 * The signed-in session. Locally the token comes from the dev issuer (`/dev-auth`, proxied by Vite to the
 * process `npm run dev` starts); in production this is where Clerk's session token is read instead.
 */
interface Session {
  username: string;
  token: string;
  expiresAt: number;
}

const STORAGE_KEY = "growqr.session";
const REFRESH_MARGIN_MS = 60_000;

function load(): Session | null {
  try {
    const raw = sessionStorage.getItem(STORAGE_KEY);
    return raw ? (JSON.parse(raw) as Session) : null;
  } catch {
    return null;
  }
}

const [session, setSession] = createSignal<Session | null>(load());

export { session };

function store(next: Session | null): void {
  if (next) sessionStorage.setItem(STORAGE_KEY, JSON.stringify(next));
  else sessionStorage.removeItem(STORAGE_KEY);
  setSession(next);
}

export async function signIn(username: string): Promise<void> {
  const response = await fetch("/dev-auth/sign-in", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username }),
  });
  const body = (await response.json()) as { token?: string; expiresIn?: number; error?: { message: string } };
  if (!response.ok || !body.token || !body.expiresIn)
    throw new Error(body.error?.message ?? "Sign-in failed");
  store({ username, token: body.token, expiresAt: Date.now() + body.expiresIn * 1000 });
}

export function signOut(): void {
  store(null);
}

/** A token valid for at least another minute, renewed if needed; null when signed out. */
export async function currentToken(): Promise<string | null> {
  const current = session();
  if (!current) return null;
  if (current.expiresAt - Date.now() > REFRESH_MARGIN_MS) return current.token;
  await signIn(current.username);
  return session()?.token ?? null;
}
