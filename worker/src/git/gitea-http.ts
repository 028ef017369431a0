import createClient, { defaultPathSerializer } from "openapi-fetch";
import { fetchWithin } from "../../../platform/with-timeout";
import { GiteaError, giteaMessageOf } from "./gitea-error";
import { parseRetryAfter, type RetryPolicy, retryingFetch } from "./retry";
import type { paths } from "./spec/gitea-api.gen";

/** `token` is an access token (`Authorization: token …`); `basic` is username + password (token creation). */
export type GiteaAuth =
  | { token: string }
  | { basic: { username: string; password: string } }
  | { none: true };

export interface GiteaClientOptions {
  /** Gitea's root URL, e.g. `https://git.example.com` (the API is under `/api/v1`). */
  baseUrl: string;
  auth: GiteaAuth;
  fetch?: (request: Request) => Promise<Response>;
  retry?: RetryPolicy;
  sleep?: (ms: number) => Promise<void>;
  /** Per-attempt timeout, so a hung Gitea fails the call instead of the Worker's request. */
  timeoutMs?: number;
}

export function authorization(auth: GiteaAuth): string | undefined {
  if ("token" in auth) return `token ${auth.token}`;
  if ("basic" in auth) return `Basic ${btoa(`${auth.basic.username}:${auth.basic.password}`)}`;
  return undefined;
}

/**
 * Gitea routes `contents/*` on the raw path, so a file path must keep its slashes: each segment is encoded on its
 * own instead of the whole path becoming one `%2F`-joined parameter.
 */
export function serializePath(pathname: string, params: Record<string, unknown>): string {
  const { filepath, ...rest } = params;
  const withFile =
    typeof filepath === "string"
      ? pathname.replace("{filepath}", filepath.split("/").map(encodeURIComponent).join("/"))
      : pathname;
  return defaultPathSerializer(withFile, rest);
}

type ApiResult<T> = Promise<{ data?: T; error?: unknown; response: Response }>;

/**
 * The transport under `GiteaClient`: one `openapi-fetch` client typed by Gitea's Swagger document, with the
 * credentials, the per-attempt timeout and the retries (`retry.ts`) wired in, and every failure turned into a
 * `GiteaError`. The endpoints live in `gitea-client.ts`, so this file changes only when the transport does.
 */
export class GiteaHttp {
  protected readonly api: ReturnType<typeof createClient<paths>>;

  constructor(protected readonly options: GiteaClientOptions) {
    const timeoutMs = options.timeoutMs ?? 15_000;
    const base = options.fetch ?? ((request: Request) => fetch(request));
    // The timeout is per attempt, body included: a hung attempt is abandoned and retried like a network error.
    // Gitea's answers are small (a file is at most 768 KiB): read whole under the same timer.
    const attempt = (request: Request) =>
      fetchWithin(timeoutMs, (signal) => base(new Request(request, { signal })));
    const send = retryingFetch({ fetch: attempt, policy: options.retry, sleep: options.sleep });
    const header = authorization(options.auth);
    this.api = createClient<paths>({
      baseUrl: `${options.baseUrl.replace(/\/+$/, "")}/api/v1`,
      headers: header ? { authorization: header } : {},
      pathSerializer: serializePath,
      fetch: send,
    });
  }

  /** Runs one call; maps transport failures and non-2xx answers to `GiteaError`. */
  protected async call<T>(
    operation: string,
    run: () => ApiResult<T>,
    { notFoundAsNull = false } = {},
  ): Promise<T | null> {
    let result: Awaited<ReturnType<typeof run>>;
    try {
      result = await run();
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new GiteaError(operation, 0, reason);
    }
    const { response } = result;
    if (response.ok) return (result.data ?? null) as T | null;
    if (notFoundAsNull && response.status === 404) return null;
    throw new GiteaError(
      operation,
      response.status,
      giteaMessageOf(result.error, response.statusText || "error"),
      parseRetryAfter(response.headers.get("retry-after"), Date.now()),
    );
  }

  /** `call` for answers that must have a body: an empty one is a `GiteaError` too. */
  protected async must<T>(operation: string, run: () => ApiResult<T>) {
    const data = await this.call(operation, run);
    if (data === null) throw new GiteaError(operation, 200, "empty response body");
    return data;
  }
}
