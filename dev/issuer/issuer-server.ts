import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { mintSessionToken, USERNAME } from "./mint-token";
import type { SigningKey } from "./signing-key";

export interface DevIssuer {
  url: string;
  key: SigningKey;
  authorizedParty: string;
  mint(
    username: string,
    options?: { ttlSeconds?: number; now?: number; claims?: Record<string, unknown> },
  ): Promise<string>;
  close(): Promise<void>;
}

const SIGN_IN_TTL_SECONDS = 15 * 60;

const send = (res: ServerResponse, status: number, body: unknown) => {
  res
    .writeHead(status, { "content-type": "application/json", "cache-control": "no-store" })
    .end(JSON.stringify(body));
};

async function readJson(req: IncomingMessage): Promise<unknown> {
  let raw = "";
  for await (const chunk of req) {
    raw += chunk;
    if (raw.length > 4_096) throw new Error("body too large");
  }
  return JSON.parse(raw || "{}");
}

/**
 * Local stand-in for Clerk's token issuance, a Node process that only `npm run dev` and the tests start: it is
 * never part of a Worker bundle. `GET /.well-known/jwks.json` publishes the key; `POST /sign-in {username}`
 * returns a session token for that dev user (the SPA reaches it through Vite at /dev-auth), valid 15 min or
 * `ttlSeconds` (5 s or more) when the body asks for less.
 */
export async function startDevIssuer(options: {
  key: SigningKey;
  authorizedParty: string;
  port?: number;
}): Promise<DevIssuer> {
  let issuerUrl = "";
  const mint: DevIssuer["mint"] = (username, extra = {}) =>
    mintSessionToken(options.key, {
      username,
      issuer: issuerUrl,
      authorizedParty: options.authorizedParty,
      ...extra,
    });

  const server = createServer(async (req, res) => {
    try {
      if (req.method === "GET" && req.url === "/.well-known/jwks.json") {
        return send(res, 200, { keys: [options.key.publicJwk] });
      }
      if (req.method === "POST" && req.url === "/sign-in") {
        const body = (await readJson(req)) as { username?: unknown; ttlSeconds?: unknown };
        const username = typeof body.username === "string" ? body.username.trim().toLowerCase() : "";
        if (!USERNAME.test(username)) {
          return send(res, 400, {
            error: { code: "invalid_username", message: "Use 1–32 of a-z, 0-9, _ and -" },
          });
        }
        // Shorter-lived tokens on request, so browser tests can watch a session's token expire (never longer).
        const ttl =
          Number.isInteger(body.ttlSeconds) && (body.ttlSeconds as number) >= 5
            ? Math.min(body.ttlSeconds as number, SIGN_IN_TTL_SECONDS)
            : SIGN_IN_TTL_SECONDS;
        const token = await mint(username, { ttlSeconds: ttl });
        return send(res, 200, { token, expiresIn: ttl, username });
      }
      send(res, 404, {
        error: { code: "not_found", message: "Dev issuer: GET /.well-known/jwks.json, POST /sign-in" },
      });
    } catch {
      send(res, 400, { error: { code: "bad_request", message: 'Send JSON: { "username": "alice" }' } });
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  issuerUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: issuerUrl,
    key: options.key,
    authorizedParty: options.authorizedParty,
    mint,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
