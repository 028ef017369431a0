import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { type LocalStack, startLocalStack } from "../../dev/stack";

export interface TestStack extends LocalStack {
  /** Everything the services printed, for assertions and for failure diagnostics. */
  logs: string[];
  issuerKeyFile?: string;
}

export const TEST_WEB_ORIGIN = "http://growqr.test";

/** The whole app as `npm run dev` runs it, on free loopback ports with an in-memory database and fresh state. */
export async function startTestStack(
  options: { issuerKeyFile?: (stateDir: string) => string; workerVars?: Record<string, string> } = {},
): Promise<TestStack> {
  const stateDir = await mkdtemp(path.join(os.tmpdir(), "growqr-stack-"));
  const issuerKeyFile = options.issuerKeyFile?.(stateDir);
  const logs: string[] = [];
  try {
    const stack = await startLocalStack({
      stateDir,
      issuerKeyFile,
      webOrigins: [TEST_WEB_ORIGIN],
      workerVars: options.workerVars,
      log: (service, line) => logs.push(`[${service}] ${line}`),
    });
    return {
      ...stack,
      logs,
      issuerKeyFile,
      async stop() {
        await stack.stop();
        await rm(stateDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    console.error(logs.join("\n"));
    await rm(stateDir, { recursive: true, force: true });
    throw error;
  }
}

/** A dev user signed in on `stack`: the token, their user id, and `fetch` on the API with that token. */
export async function signIn(stack: LocalStack, username: string) {
  const token = await stack.issuer.mint(username);
  const authed = (path: string, init: RequestInit = {}) =>
    fetch(`${stack.apiUrl}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    });
  const userId = ((await (await authed("/api/me")).json()) as { id: string }).id;
  return { token, userId, authed };
}
