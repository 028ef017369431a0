import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { generateSecretBoxKey } from "../../platform/secret-box";

export interface GiteaDevSecrets {
  /** Admin token of the dev Gitea. */
  adminToken: string;
  /** GITEA_TOKEN_KEY for the Worker: must stay the same while `repos` holds tokens sealed with it. */
  tokenKey: string;
}

/** Generated on first use and kept in `file` (mode 600) so `npm run dev` restarts keep working tokens. */
export async function loadOrCreateGiteaSecrets(file?: string): Promise<GiteaDevSecrets> {
  if (file && existsSync(file)) return JSON.parse(await readFile(file, "utf8")) as GiteaDevSecrets;
  const secrets: GiteaDevSecrets = {
    adminToken: Array.from(crypto.getRandomValues(new Uint8Array(20)), (b) =>
      b.toString(16).padStart(2, "0"),
    ).join(""),
    tokenKey: generateSecretBoxKey(),
  };
  if (file) {
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  }
  return secrets;
}
