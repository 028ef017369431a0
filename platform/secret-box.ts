import { fromBase64Url, toBase64Url } from "./base64url";

/**
 * AES-256-GCM for secrets at rest, the one implementation for both Workers: Gitea access tokens
 * (`repos.access_token_ciphertext`, key `GITEA_TOKEN_KEY`) and the per-user stack secrets the provisioner keeps
 * (`provisioner/src/stack/secrets.ts`, key `STACK_SECRETS_KEY`). Web Crypto only, so it runs in Workers and Node
 * alike. A key is 32 bytes, base64 or base64url.
 *
 * Format: `v1.<iv>.<ciphertext+tag>`, unpadded base64url. The associated data binds a ciphertext to its row (the
 * user id), so a secret copied into another user's row fails to decrypt instead of granting access.
 *
 * Reading also accepts the provisioner's earlier writing of the same format in padded standard base64
 * (`v1.<iv>.<ciphertext+tag>`, `+/=`): same version, same bytes, only the text encoding differs, and the decoder
 * takes both. Stack secrets sealed before the move therefore still open; new ones are written as base64url.
 */

const VERSION = "v1";
const IV_BYTES = 12;

export class SecretBoxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SecretBoxError";
  }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export interface SecretBox {
  seal(plaintext: string, associatedData: string): Promise<string>;
  open(sealed: string, associatedData: string): Promise<string>;
}

/** Imports a key; throws `SecretBoxError` unless it is 32 bytes of base64 (or base64url). */
export async function importSecretBoxKey(base64Key: string | undefined): Promise<CryptoKey> {
  if (!base64Key) throw new SecretBoxError("encryption key is not configured");
  let raw: Uint8Array<ArrayBuffer>;
  try {
    raw = fromBase64Url(base64Key.trim());
  } catch {
    throw new SecretBoxError("encryption key is not valid base64");
  }
  if (raw.byteLength !== 32) throw new SecretBoxError("encryption key must be 32 bytes (AES-256)");
  return crypto.subtle.importKey("raw", raw, { name: "AES-GCM" }, false, ["encrypt", "decrypt"]);
}

/** A box over an imported AES-GCM key. */
export function secretBoxWithKey(key: CryptoKey): SecretBox {
  return {
    async seal(plaintext, associatedData) {
      const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
      const sealed = await crypto.subtle.encrypt(
        { name: "AES-GCM", iv, additionalData: encoder.encode(associatedData) },
        key,
        encoder.encode(plaintext),
      );
      return `${VERSION}.${toBase64Url(iv)}.${toBase64Url(new Uint8Array(sealed))}`;
    },
    async open(sealed, associatedData) {
      const [version, iv, body, ...rest] = sealed.split(".");
      if (version !== VERSION || !iv || !body || rest.length > 0) {
        throw new SecretBoxError("sealed value has an unknown format");
      }
      try {
        const plain = await crypto.subtle.decrypt(
          { name: "AES-GCM", iv: fromBase64Url(iv), additionalData: encoder.encode(associatedData) },
          key,
          fromBase64Url(body),
        );
        return decoder.decode(plain);
      } catch {
        // Never echo the ciphertext or the cause: both could help an attacker probe the key.
        throw new SecretBoxError("sealed value could not be decrypted (wrong key or associated data)");
      }
    },
  };
}

/** Imports the key once; throws `SecretBoxError` unless it is 32 bytes of base64 (or base64url). */
export async function createSecretBox(base64Key: string | undefined): Promise<SecretBox> {
  return secretBoxWithKey(await importSecretBoxKey(base64Key));
}

/** A fresh random key in the format `createSecretBox` expects (for `npm run dev` and tests). */
export function generateSecretBoxKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}
