import createClient from "openapi-fetch";
import { inject, type ProvidedContext } from "vitest";
import ws from "ws";
import { mintSessionToken } from "../../dev/issuer/mint-token";
import { loadOrCreateSigningKey, type SigningKey } from "../../dev/issuer/signing-key";
import { createDb, type Database } from "../../schema/db";
import type { paths } from "../../web/src/api/openapi.gen";

/** Helpers for tests against the shared API stack (test/support/api-stack-setup.ts). */

let outsideWorker: Partial<ProvidedContext> | undefined;

/**
 * Lets the api global set-up use these helpers (it seeds users before any file runs, outside a test worker, where
 * `inject` is unavailable): they read `values`, what it provides, instead.
 */
export function useProvidedOutsideWorker(values: Partial<ProvidedContext>): void {
  outsideWorker = values;
}

function provided<K extends keyof ProvidedContext>(key: K): ProvidedContext[K] {
  if (!outsideWorker) return inject(key);
  const value = outsideWorker[key];
  if (value === undefined) throw new Error(`test/support/api: ${key} was not provided`);
  return value as ProvidedContext[K];
}

export const apiUrl = () => provided("apiUrl");
export const inspectorUrl = () => provided("inspectorUrl");

let signingKey: Promise<SigningKey> | undefined;

export async function mintToken(
  username: string,
  options: {
    ttlSeconds?: number;
    now?: number;
    claims?: Record<string, unknown>;
    issuer?: string;
    azp?: string;
  } = {},
): Promise<string> {
  signingKey ??= loadOrCreateSigningKey(provided("issuerKeyFile"));
  return mintSessionToken(await signingKey, {
    username,
    issuer: options.issuer ?? provided("issuerUrl"),
    authorizedParty: options.azp ?? provided("authorizedParty"),
    ttlSeconds: options.ttlSeconds,
    now: options.now,
    claims: options.claims,
  });
}

/** A username no other test uses, so tests share the stack without sharing users. */
export const uniqueUser = (prefix = "u") => `${prefix}-${crypto.randomUUID().slice(0, 8)}`;

/** The typed client API consumers would generate from /api/openapi.json (openapi-typescript + openapi-fetch). */
export function apiClient(token: string) {
  return createClient<paths>({ baseUrl: `${apiUrl()}/api`, headers: { authorization: `Bearer ${token}` } });
}

export async function signedInClient(prefix?: string) {
  const username = uniqueUser(prefix);
  const token = await mintToken(username);
  return { username, token, api: apiClient(token) };
}

/** A fresh user, mirrored by the API: their token and their id. */
export async function signUp(
  prefix: string,
  options: { ttlSeconds?: number } = {},
): Promise<{ username: string; token: string; id: string }> {
  const username = uniqueUser(prefix);
  const token = await mintToken(username, options);
  const response = await call("/api/me", token);
  if (response.status !== 200) throw new Error(`GET /api/me answered ${response.status}`);
  return { username, token, id: ((await response.json()) as { id: string }).id };
}

/** Raw fetch against the API with a bearer token. */
export function call(path: string, token: string | undefined, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (token) headers.set("authorization", `Bearer ${token}`);
  if (init.body && !headers.has("content-type")) headers.set("content-type", "application/json");
  return fetch(`${apiUrl()}${path}`, { ...init, headers });
}

/** Direct database access (through the Neon driver and the proxy) to check what the API wrote. */
export function stackDb(): Database {
  return createDb({
    databaseUrl: provided("stackDatabaseUrl"),
    wsProxy: provided("stackWsProxy"),
    webSocketConstructor: ws,
  });
}

export interface ErrorBody {
  error: { code: string; message: string; requestId: string };
}
