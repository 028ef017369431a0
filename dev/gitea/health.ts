import type { ServerResponse } from "node:http";

/** Gitea's health endpoint: outside /api/v1, served without signing in (Fly's health check calls it). */
export const HEALTHZ = "/api/healthz";

/**
 * Gitea's answer when healthy (routers/web/healthcheck): `application/health+json`, status `pass`, one check per
 * dependency. The dev server has no database or cache to ping, so every check passes while it answers at all.
 */
export function sendHealth(res: ServerResponse): void {
  const time = new Date().toISOString();
  const body = JSON.stringify({
    status: "pass",
    description: "Gitea: Git with a cup of tea",
    checks: {
      "cache:ping": [{ status: "pass", time }],
      "database:ping": [{ status: "pass", time }],
    },
  });
  res.writeHead(200, {
    "content-type": "application/health+json",
    "content-length": Buffer.byteLength(body),
    "cache-control": "no-store",
  });
  res.end(body);
}
