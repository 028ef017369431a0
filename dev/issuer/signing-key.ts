import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { exportJWK, exportPKCS8, exportSPKI, generateKeyPair, importPKCS8, type JWK } from "jose";

export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  /** SPKI PEM: what the Worker gets as CLERK_JWT_KEY, exactly like a Clerk instance's "JWT public key". */
  publicPem: string;
  publicJwk: JWK;
}

interface StoredKey {
  kid: string;
  privatePem: string;
  publicPem: string;
  publicJwk: JWK;
}

const ALG = "RS256";

async function generate(): Promise<StoredKey> {
  // 2048-bit RSA: what Clerk issues and what @clerk/backend's networkless verification accepts.
  const { privateKey, publicKey } = await generateKeyPair(ALG, { modulusLength: 2048, extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const kid = `ins_dev_${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`;
  return {
    kid,
    privatePem: await exportPKCS8(privateKey),
    publicPem: await exportSPKI(publicKey),
    publicJwk: { ...publicJwk, kid, alg: ALG, use: "sig" },
  };
}

/** The dev issuer's key pair, generated on first use and kept in `file` (mode 600) so tokens survive restarts. */
export async function loadOrCreateSigningKey(file?: string): Promise<SigningKey> {
  let stored: StoredKey;
  if (file && existsSync(file)) {
    stored = JSON.parse(await readFile(file, "utf8")) as StoredKey;
  } else {
    stored = await generate();
    if (file) {
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, JSON.stringify(stored), { mode: 0o600 });
    }
  }
  return {
    kid: stored.kid,
    privateKey: await importPKCS8(stored.privatePem, ALG),
    publicPem: stored.publicPem,
    publicJwk: stored.publicJwk,
  };
}
