/**
 * Actor addressing on Durable Objects.
 *
 * One Durable Object hosts one actor, found by `idFromName(serializeNameAndKey(name, key))`, so create,
 * get and get-or-create for the same name+key meet in the same object without a global index.
 * The actor id is `<doId>:<generation>`: destroying and re-creating an actor under the same key bumps the
 * generation, so ids handed out before the destroy stop resolving (the DO compares generations itself).
 */

const EMPTY_KEY = "(none)";
const KEY_SEPARATOR = ",";

/** A key part is escaped so that `["a,b"]` and `["a", "b"]` never map to the same object. */
function escapeKeyPart(part: string): string {
  if (part === EMPTY_KEY) return `\\${EMPTY_KEY}`;
  return part.replace(/\\/g, "\\\\").replace(/,/g, "\\,");
}

export function serializeKey(key: readonly string[]): string {
  if (key.length === 0) return EMPTY_KEY;
  return key.map(escapeKeyPart).join(KEY_SEPARATOR);
}

const escapeColons = (text: string) => text.replace(/\\/g, "\\\\").replace(/:/g, "\\:");

/**
 * The name given to `idFromName`. `:` separates scope, name and key, so it is escaped inside them. The
 * empty scope (production) adds nothing, which keeps ids identical to an unscoped deployment.
 */
export function serializeNameAndKey(name: string, key: readonly string[], scope = ""): string {
  const base = `${escapeColons(name)}:${serializeKey(key)}`;
  return scope === "" ? base : `${escapeColons(scope)}::${base}`;
}

export function buildActorId(doId: string, generation: number): string {
  return `${doId}:${generation}`;
}

export interface ParsedActorId {
  doId: string;
  generation: number;
}

/** Durable Object ids are 64 lowercase hex characters; anything else never came from this driver. */
const ACTOR_ID = /^([0-9a-f]{64}):(0|[1-9][0-9]{0,8})$/;

/** Returns undefined for anything that is not an id this driver issued (callers answer ActorNotFound). */
export function parseActorId(actorId: string): ParsedActorId | undefined {
  const match = ACTOR_ID.exec(actorId);
  if (!match?.[1] || !match[2]) return undefined;
  return { doId: match[1], generation: Number(match[2]) };
}
