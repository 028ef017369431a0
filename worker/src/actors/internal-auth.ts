/**
 * Credentials one actor presents to another of the same user (a sub-agent relaying to its Grow Agent): an HMAC of
 * the user id under `ACTOR_INTERNAL_KEY`, a secret only the Worker holds. Never sent to a browser; a client
 * cannot forge it, and it only opens actors of that one user.
 */
export interface InternalActorEnv {
  /** Secret (32+ random bytes, base64): signs actor-to-actor connection params. */
  ACTOR_INTERNAL_KEY?: string;
}

const encoder = new TextEncoder();

async function sign(secret: string, userId: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    encoder.encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(`growqr-actor:${userId}`)));
  return btoa(String.fromCharCode(...mac));
}

function secretOf(env: InternalActorEnv): string {
  if (!env.ACTOR_INTERNAL_KEY)
    throw new Error("ACTOR_INTERNAL_KEY is not set: actors cannot call each other");
  return env.ACTOR_INTERNAL_KEY;
}

/** Connection params for calling another actor of `userId` from inside the Worker. */
export async function internalParams(
  env: InternalActorEnv,
  userId: string,
): Promise<{ internal: string; userId: string }> {
  return { internal: await sign(secretOf(env), userId), userId };
}

/** Constant-time check of internal params; the user they are for, or undefined. */
export async function verifyInternalParams(
  env: InternalActorEnv,
  params: unknown,
): Promise<string | undefined> {
  const { internal, userId } = (params ?? {}) as { internal?: unknown; userId?: unknown };
  if (typeof internal !== "string" || typeof userId !== "string" || !env.ACTOR_INTERNAL_KEY) return undefined;
  const expected = await sign(env.ACTOR_INTERNAL_KEY, userId);
  if (expected.length !== internal.length) return undefined;
  let diff = 0;
  for (let i = 0; i < expected.length; i++) diff |= expected.charCodeAt(i) ^ internal.charCodeAt(i);
  return diff === 0 ? userId : undefined;
}
