import { toBase64Url } from "../../../platform/base64url";
import {
  generateSecretBoxKey,
  importSecretBoxKey,
  SecretBoxError,
  secretBoxWithKey,
} from "../../../platform/secret-box";

/**
 * Per-user stack secrets (OpenCode server password, Gitea admin token) at rest, sealed by the one secret box
 * (`platform/secret-box.ts`: AES-256-GCM) with a key from `STACK_SECRETS_KEY` (32 bytes, base64). The user id is
 * bound in as additional data, so a ciphertext copied into another user's record does not decrypt. Records
 * sealed before the box moved to `platform/` (padded standard base64) still open.
 */

export async function importSecretsKey(base64Key: string | undefined): Promise<CryptoKey> {
  if (!base64Key) throw new Error("STACK_SECRETS_KEY is not set");
  try {
    return await importSecretBoxKey(base64Key);
  } catch (error) {
    if (!(error instanceof SecretBoxError)) throw error;
    throw new Error(
      /32 bytes/.test(error.message)
        ? "STACK_SECRETS_KEY must be 32 bytes, base64-encoded"
        : "STACK_SECRETS_KEY is not valid base64",
    );
  }
}

export const encryptSecret = (key: CryptoKey, userId: string, plaintext: string): Promise<string> =>
  secretBoxWithKey(key).seal(plaintext, userId);

export const decryptSecret = (key: CryptoKey, userId: string, ciphertext: string): Promise<string> =>
  secretBoxWithKey(key).open(ciphertext, userId);

/** 32 random bytes, URL-safe: strong enough for a password or token and safe in env vars and URLs. */
export const generateSecret = () => toBase64Url(crypto.getRandomValues(new Uint8Array(32)));

export const generateSecretsKey = generateSecretBoxKey;
