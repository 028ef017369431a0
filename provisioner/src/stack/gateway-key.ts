import { toBase64Url } from "../../../platform/base64url";

/**
 * The per-stack model-gateway credential: what an OpenCode machine sends as its Anthropic key. 32 random bytes,
 * URL-safe, with a prefix so a leaked one is recognisable (and never mistaken for an Anthropic key). Only its
 * SHA-256 is stored in Postgres (`user_stacks.gateway_key_hash`), for the gateway's one-query lookup; the
 * credential itself is sealed in the stack's Durable Object (to recreate a machine) and sits in the machine's env.
 */

export const GATEWAY_KEY_PREFIX = "gqsk_";
/** The prefix and 43 base64url characters (32 bytes); anything else is refused before a database lookup. */
export const GATEWAY_KEY_PATTERN = /^gqsk_[A-Za-z0-9_-]{43}$/;

export const generateGatewayKey = () =>
  `${GATEWAY_KEY_PREFIX}${toBase64Url(crypto.getRandomValues(new Uint8Array(32)))}`;

/** A fast hash is enough: the credential has 256 bits of entropy, so there is nothing to brute-force. */
export async function hashGatewayKey(key: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(key));
  return toBase64Url(new Uint8Array(digest));
}
