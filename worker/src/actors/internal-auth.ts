import { fromBase64Url, toBase64Url } from "../../../platform/base64url";
import { ConfigError } from "../../../platform/config";
import { type AgentEnv, readAgentConfig } from "../agent/agent-config";
import type { ActorType } from "./actor-keys";

/**
 * Credentials one actor presents to another of the same user (a sub-agent relaying to its Grow Agent, the Grow
 * Agent starting a sub-agent): `v1.<userId>.<audience>.<exp>.<mac>`, an HMAC-SHA256 under `ACTOR_INTERNAL_KEY` (a
 * secret only the Worker holds) over the version, the user, the actor type it is for and its expiry. Never sent to
 * a browser; a client cannot forge it, it only opens actors of that one user and that one type, and one that leaks
 * (a log line) is worthless once it expires.
 */
export interface InternalActorEnv extends Pick<AgentEnv, "AGENT_SUBAGENT_TIMEOUT_SECONDS"> {
  /** Secret (32+ random bytes, base64): signs actor-to-actor connection params. */
  ACTOR_INTERNAL_KEY?: string;
}

/** Who presented valid internal params, and until when the connection they opened may act (ms since the epoch). */
export interface InternalCaller {
  userId: string;
  expiresAt: number;
}

const VERSION = "v1";
const AUDIENCES: readonly ActorType[] = ["growAgent", "subAgent"];
/**
 * Past the longest actor-to-actor connection: a sub-agent's relay to its Grow Agent is opened once per run with
 * fixed params and lives as long as the run, which the Grow Agent cancels after `AGENT_SUBAGENT_TIMEOUT_SECONDS`
 * and which then takes up to 30 s to report its end. Actions are refused after expiry (assertCaller), so a
 * shorter lifetime would cut the relay of a long run.
 */
const LIFETIME_MARGIN_MS = 5 * 60_000;

export const internalCredentialLifetimeMs = (env: InternalActorEnv): number =>
  readAgentConfig(env).subAgentTimeoutMs + LIFETIME_MARGIN_MS;

const encoder = new TextEncoder();

async function hmacKey(secret: string): Promise<CryptoKey> {
  return crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
    "verify",
  ]);
}

/** What the MAC covers; the prefix keeps it from ever matching a MAC made under this key for anything else. */
const signedText = (userId: string, audience: string, exp: number) =>
  `growqr-actor|${VERSION}|${userId}|${audience}|${exp}`;

/** A SHA-256 MAC is 43 unpadded base64url characters; anything else is not one. */
const macBytes = (text: string) => (/^[A-Za-z0-9_-]{43}$/.test(text) ? fromBase64Url(text) : undefined);

/** Also read by the Worker's start-up check (http/check-config.ts), so a missing key is a clear 503 at once. */
export function secretOf(env: InternalActorEnv): string {
  if (!env.ACTOR_INTERNAL_KEY || env.ACTOR_INTERNAL_KEY.length < 32) {
    throw new ConfigError(
      "ACTOR_INTERNAL_KEY",
      "must be set to a random secret of at least 32 characters: the Worker calls actors with it",
    );
  }
  return env.ACTOR_INTERNAL_KEY;
}

/**
 * Connection params for calling the `audience` actor of `userId` from inside the Worker, valid for `lifetimeMs`
 * (default `internalCredentialLifetimeMs`, what an actor-to-actor relay needs; a REST call passes its own, short
 * one). Mint them per call or connection (or in `getParams`), never keep them.
 */
export async function internalParams(
  env: InternalActorEnv,
  userId: string,
  audience: ActorType,
  now = Date.now(),
  lifetimeMs = internalCredentialLifetimeMs(env),
): Promise<{ internal: string }> {
  const exp = Math.floor((now + lifetimeMs) / 1000);
  const key = await hmacKey(secretOf(env));
  const mac = new Uint8Array(
    await crypto.subtle.sign("HMAC", key, encoder.encode(signedText(userId, audience, exp))),
  );
  return { internal: [VERSION, userId, audience, exp, toBase64Url(mac)].join(".") };
}

/**
 * Checks internal params for the `audience` actor: MAC (compared in constant time by `crypto.subtle.verify`),
 * audience and expiry. The caller and its expiry, or undefined for anything else.
 */
export async function verifyInternalParams(
  env: InternalActorEnv,
  params: unknown,
  audience: ActorType,
  now = Date.now(),
): Promise<InternalCaller | undefined> {
  const { internal } = (params ?? {}) as { internal?: unknown };
  if (typeof internal !== "string" || internal.length > 512 || !env.ACTOR_INTERNAL_KEY) return undefined;
  const parts = internal.split(".");
  if (parts.length !== 5) return undefined;
  const [version, userId = "", claimedAudience = "", expText = "", macText = ""] = parts;
  const exp = Number(expText);
  if (version !== VERSION || !userId || !/^[0-9]{1,12}$/.test(expText)) return undefined;
  if (!AUDIENCES.includes(claimedAudience as ActorType)) return undefined;
  const mac = macBytes(macText);
  if (!mac) return undefined;
  const key = await hmacKey(env.ACTOR_INTERNAL_KEY);
  const valid = await crypto.subtle.verify(
    "HMAC",
    key,
    mac,
    encoder.encode(signedText(userId, claimedAudience, exp)),
  );
  // Audience and expiry only after the MAC: they are trusted only once we know we signed them.
  if (!valid || claimedAudience !== audience || exp * 1000 <= now) return undefined;
  return { userId, expiresAt: exp * 1000 };
}
