import { GATEWAY_KEY_PATTERN } from "../../../provisioner/src/stack/gateway-key";

/**
 * The stack credential of a gateway call, sent the way Anthropic clients send a key: `x-api-key` (the AI SDK's
 * Anthropic provider, which OpenCode uses) or `Authorization: Bearer` (the Anthropic SDK with `authToken`).
 * Undefined when absent or not shaped like one of ours, so junk never reaches the database.
 */
export function credentialFrom(headers: Headers): string | undefined {
  const apiKey = headers.get("x-api-key")?.trim();
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(headers.get("authorization") ?? "")?.[1];
  const key = apiKey || bearer;
  return key && GATEWAY_KEY_PATTERN.test(key) ? key : undefined;
}
