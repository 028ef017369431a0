import { inject } from "vitest";
import ws from "ws";
import { createDb, type Database } from "../../schema/db";

/**
 * The stack's database, as the API tests reach it (Neon driver through the WebSocket proxy): for set-ups the UI
 * cannot make, like a user who has used up their allowance. Null when the tests run against an `npm run dev` whose
 * database was not named (GROWQR_E2E_DATABASE_URL, GROWQR_E2E_DB_WS_PROXY).
 */
export function stackDb(): Database | null {
  const databaseUrl = inject("databaseUrl");
  const wsProxy = inject("dbWsProxy");
  if (!databaseUrl || !wsProxy) return null;
  return createDb({ databaseUrl, wsProxy, webSocketConstructor: ws });
}
