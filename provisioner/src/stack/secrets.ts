/**
 * Per-user stack secrets (OpenCode server password, Gitea admin token) at rest: AES-256-GCM with a key from
 * `STACK_SECRETS_KEY` (32 bytes, base64). The user id is bound in as additional data, so a ciphertext copied
 * into another user's record does not decrypt.
 */

const b64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
const unb64 = (text: string) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

export async function importSecretsKey(base64Key: string | undefined): Promise<CryptoKey> {
  if (!base64Key) throw new Error("STACK_SECRETS_KEY is not set");
  const raw = unb64(base64Key.trim());
  if (raw.length !== 32) throw new Error("STACK_SECRETS_KEY must be 32 bytes, base64-encoded");
  return crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["encrypt", "decrypt"]);
}

export async function encryptSecret(key: CryptoKey, userId: string, plaintext: string): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const data = new Uint8Array(
    await crypto.subtle.encrypt(
      { name: "AES-GCM", iv, additionalData: new TextEncoder().encode(userId) },
      key,
      new TextEncoder().encode(plaintext),
    ),
  );
  return `v1.${b64(iv)}.${b64(data)}`;
}

export async function decryptSecret(key: CryptoKey, userId: string, ciphertext: string): Promise<string> {
  const [version, iv, data] = ciphertext.split(".");
  if (version !== "v1" || !iv || !data) throw new Error("unknown secret format");
  const plain = await crypto.subtle.decrypt(
    { name: "AES-GCM", iv: unb64(iv), additionalData: new TextEncoder().encode(userId) },
    key,
    unb64(data),
  );
  return new TextDecoder().decode(plain);
}

/** 32 random bytes, URL-safe: strong enough for a password or token and safe in env vars and URLs. */
export const generateSecret = () =>
  b64(crypto.getRandomValues(new Uint8Array(32)))
    .replaceAll("+", "-")
    .replaceAll("/", "_")
    .replace(/=+$/, "");

export const generateSecretsKey = () => b64(crypto.getRandomValues(new Uint8Array(32)));
