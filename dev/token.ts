import path from "node:path";
import { mintSessionToken } from "./issuer/mint-token";
import { loadOrCreateSigningKey } from "./issuer/signing-key";
import { DEV_ISSUER_PORT, DEV_WEB_ORIGIN, repoRoot } from "./stack";

/**
 * `npm run token -- alice [ttlSeconds]`: prints a session token for dev user "alice", signed by the same key the
 * running `npm run dev` trusts. Use it as `Authorization: Bearer <token>` with curl or any API client.
 */
async function main(): Promise<void> {
  const [username, ttl] = process.argv.slice(2);
  if (!username) {
    console.error("usage: npm run token -- <username> [ttlSeconds]");
    process.exit(2);
  }
  const key = await loadOrCreateSigningKey(path.join(repoRoot, ".dev/issuer-key.json"));
  const port = Number(process.env.ISSUER_PORT ?? DEV_ISSUER_PORT);
  const token = await mintSessionToken(key, {
    username,
    issuer: `http://127.0.0.1:${port}`,
    authorizedParty: process.env.DEV_AUTHORIZED_PARTY ?? DEV_WEB_ORIGIN,
    ttlSeconds: ttl ? Number(ttl) : 3_600,
  });
  console.log(token);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
