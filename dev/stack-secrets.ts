import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";

/** A stable local key for the stack secrets, so machines created in one `npm run dev` still work in the next. */
export async function loadOrCreateSecretsKey(stateDir: string): Promise<string> {
  const file = path.join(stateDir, "stack-secrets.key");
  if (existsSync(file)) return (await readFile(file, "utf8")).trim();
  const key = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64");
  await writeFile(file, key, { mode: 0o600 });
  return key;
}
