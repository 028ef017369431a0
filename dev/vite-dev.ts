import path from "node:path";
import { fileURLToPath } from "node:url";
import { type ManagedProcess, startProcess } from "./processes";

// Not imported from ./stack, which imports this file.
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const bin = (pkg: string, file: string) => path.join(repoRoot, "node_modules", pkg, file);

/** Vite's dev server for web/, which proxies `/api` to the Workers and `/dev-auth` to the dev issuer. */
export function startWeb(
  port: number,
  apiUrl: string,
  issuerUrl: string,
  log: (line: string) => void,
): ManagedProcess {
  return startProcess(
    "web",
    process.execPath,
    [
      bin("vite", "bin/vite.js"),
      "--config",
      path.join(repoRoot, "web/vite.config.ts"),
      "--port",
      String(port),
      "--strictPort",
      "--host",
      "127.0.0.1",
    ],
    {
      cwd: path.join(repoRoot, "web"),
      env: { GROWQR_API_URL: apiUrl, GROWQR_DEV_ISSUER_URL: issuerUrl },
      log,
    },
  );
}
