import createClient from "openapi-fetch";
import { retryingFetch } from "../../../platform/retry";
import type { components, paths } from "./fly-api.gen";
import { FlyApiError } from "./fly-errors";
import { DEFAULT_RETRY_POLICY, type RetryPolicy, toPlatformPolicy } from "./retry-policy";

export type CreateMachineRequest = components["schemas"]["CreateMachineRequest"];
export type CreateVolumeRequest = components["schemas"]["CreateVolumeRequest"];
export type Lease = components["schemas"]["Lease"];
export type WaitState = "started" | "stopped" | "destroyed" | "suspended";

/** Fly checks a lease nonce on every mutation of a leased machine through this header. */
export const LEASE_NONCE_HEADER = "fly-machine-lease-nonce";

export interface FlyClientOptions {
  /** `https://api.machines.dev/v1` in production; dev/fly's URL locally. */
  baseUrl: string;
  token: string;
  retry?: RetryPolicy;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  /** Observes every HTTP attempt (tests and metrics); never sees headers or bodies. */
  onAttempt?: (info: { method: string; path: string; status: number; attempt: number }) => void;
}

interface Result<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

function errorDetail(error: unknown): string {
  if (error && typeof error === "object" && "error" in error && typeof error.error === "string")
    return error.error;
  return typeof error === "string" ? error.slice(0, 200) : "";
}

/**
 * Typed Fly Machines client: openapi-fetch over types generated from Fly's spec, plus what a provisioner needs
 * around it: retries on 429/5xx honouring `Retry-After`, typed errors, and leases around mutations.
 */
export function createFlyClient(options: FlyClientOptions) {
  const policy = toPlatformPolicy(options.retry ?? DEFAULT_RETRY_POLICY);
  const baseFetch = options.fetch ?? ((input, init) => fetch(input, init));

  // Retries live below openapi-fetch so every operation gets them (platform/retry.ts clones the request per
  // attempt, since a body can be read only once). Network errors are retried too: the provisioner makes creates
  // idempotent by machine name, so a create whose answer was lost is found again rather than duplicated.
  const flyFetch = async (request: Request): Promise<Response> => {
    const path = new URL(request.url).pathname;
    let attempts = 0;
    const send = retryingFetch((clone) => baseFetch(clone), {
      ...policy,
      ...(options.sleep ? { sleep: options.sleep } : {}),
      onAttempt: ({ attempt, status }) => {
        attempts = attempt;
        options.onAttempt?.({ method: request.method, path, status, attempt });
      },
    });
    try {
      return await send(request);
    } catch (error) {
      throw new FlyApiError(`${request.method} ${path}`, 0, String(error), attempts);
    }
  };

  const api = createClient<paths>({
    baseUrl: options.baseUrl.replace(/\/$/, ""),
    headers: { authorization: `Bearer ${options.token}` },
    fetch: flyFetch,
  });

  async function unwrap<T>(operation: string, call: Promise<Result<T>>): Promise<T> {
    const { data, error, response } = await call;
    if (!response.ok) throw new FlyApiError(operation, response.status, errorDetail(error));
    return data as T;
  }

  const machinePath = (app: string, id: string) => ({ path: { app_name: app, machine_id: id } });
  const leaseHeaders = (nonce?: string) => (nonce ? { [LEASE_NONCE_HEADER]: nonce } : undefined);

  const client = {
    apps: {
      list: (orgSlug: string) =>
        unwrap("apps.list", api.GET("/apps", { params: { query: { org_slug: orgSlug } } })),
      create: (body: components["schemas"]["CreateAppRequest"]) =>
        unwrap("apps.create", api.POST("/apps", { body })),
      get: (app: string) =>
        unwrap("apps.get", api.GET("/apps/{app_name}", { params: { path: { app_name: app } } })),
      delete: (app: string) =>
        unwrap("apps.delete", api.DELETE("/apps/{app_name}", { params: { path: { app_name: app } } })),
    },
    machines: {
      list: (app: string) =>
        unwrap(
          "machines.list",
          api.GET("/apps/{app_name}/machines", { params: { path: { app_name: app } } }),
        ),
      create: (app: string, body: CreateMachineRequest) =>
        unwrap(
          "machines.create",
          api.POST("/apps/{app_name}/machines", { params: { path: { app_name: app } }, body }),
        ),
      get: (app: string, id: string) =>
        unwrap(
          "machines.get",
          api.GET("/apps/{app_name}/machines/{machine_id}", { params: machinePath(app, id) }),
        ),
      update: (
        app: string,
        id: string,
        body: components["schemas"]["UpdateMachineRequest"],
        nonce?: string,
      ) =>
        unwrap(
          "machines.update",
          api.POST("/apps/{app_name}/machines/{machine_id}", {
            params: machinePath(app, id),
            body,
            headers: leaseHeaders(nonce),
          }),
        ),
      start: (app: string, id: string, nonce?: string) =>
        unwrap(
          "machines.start",
          api.POST("/apps/{app_name}/machines/{machine_id}/start", {
            params: machinePath(app, id),
            headers: leaseHeaders(nonce),
          }),
        ),
      stop: (app: string, id: string, nonce?: string) =>
        unwrap(
          "machines.stop",
          api.POST("/apps/{app_name}/machines/{machine_id}/stop", {
            params: machinePath(app, id),
            body: {},
            headers: leaseHeaders(nonce),
          }),
        ),
      suspend: (app: string, id: string, nonce?: string) =>
        unwrap(
          "machines.suspend",
          api.POST("/apps/{app_name}/machines/{machine_id}/suspend", {
            params: machinePath(app, id),
            headers: leaseHeaders(nonce),
          }),
        ),
      /** Blocks server-side up to `timeoutSeconds` (Fly caps it at 60); a timeout is a FlyApiError with status 408. */
      wait: (app: string, id: string, state: WaitState, timeoutSeconds = 60, instanceId?: string) =>
        unwrap(
          "machines.wait",
          api.GET("/apps/{app_name}/machines/{machine_id}/wait", {
            params: {
              ...machinePath(app, id),
              query: { state, timeout: timeoutSeconds, ...(instanceId ? { instance_id: instanceId } : {}) },
            },
          }),
        ),
      delete: (app: string, id: string, nonce?: string) =>
        unwrap(
          "machines.delete",
          api.DELETE("/apps/{app_name}/machines/{machine_id}", {
            params: { ...machinePath(app, id), query: { force: true } },
            headers: leaseHeaders(nonce),
          }),
        ),
    },
    leases: {
      get: (app: string, id: string) =>
        unwrap(
          "leases.get",
          api.GET("/apps/{app_name}/machines/{machine_id}/lease", { params: machinePath(app, id) }),
        ),
      acquire: async (app: string, id: string, ttlSeconds: number, description: string): Promise<string> => {
        const lease = await unwrap(
          "leases.acquire",
          api.POST("/apps/{app_name}/machines/{machine_id}/lease", {
            params: machinePath(app, id),
            body: { ttl: ttlSeconds, description },
          }),
        );
        // Fly's live API wraps the lease as { status, data }; the spec (and dev/fly) return it bare.
        const nonce = (lease as Lease & { data?: Lease }).nonce ?? (lease as { data?: Lease }).data?.nonce;
        if (!nonce) throw new FlyApiError("leases.acquire", 200, "no nonce in lease");
        return nonce;
      },
      release: (app: string, id: string, nonce: string) =>
        unwrap(
          "leases.release",
          api.DELETE("/apps/{app_name}/machines/{machine_id}/lease", {
            params: machinePath(app, id),
            headers: { [LEASE_NONCE_HEADER]: nonce },
          }),
        ),
    },
    volumes: {
      list: (app: string) =>
        unwrap("volumes.list", api.GET("/apps/{app_name}/volumes", { params: { path: { app_name: app } } })),
      create: (app: string, body: CreateVolumeRequest) =>
        unwrap(
          "volumes.create",
          api.POST("/apps/{app_name}/volumes", { params: { path: { app_name: app } }, body }),
        ),
      get: (app: string, id: string) =>
        unwrap(
          "volumes.get",
          api.GET("/apps/{app_name}/volumes/{volume_id}", {
            params: { path: { app_name: app, volume_id: id } },
          }),
        ),
      delete: (app: string, id: string) =>
        unwrap(
          "volumes.delete",
          api.DELETE("/apps/{app_name}/volumes/{volume_id}", {
            params: { path: { app_name: app, volume_id: id } },
          }),
        ),
    },

    /**
     * Runs `mutate` holding the machine's lease, so two provisioners (or a retry racing a slow first attempt)
     * never change one machine at once. The lease is released even when `mutate` fails; if the release itself
     * fails the lease simply expires after its TTL.
     */
    async withLease<T>(
      app: string,
      id: string,
      description: string,
      mutate: (nonce: string) => Promise<T>,
      ttlSeconds = 120,
    ): Promise<T> {
      const nonce = await client.leases.acquire(app, id, ttlSeconds, description);
      try {
        return await mutate(nonce);
      } finally {
        await client.leases.release(app, id, nonce).catch(() => {});
      }
    },
  };
  return client;
}

export type FlyClient = ReturnType<typeof createFlyClient>;
