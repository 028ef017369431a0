import { apiUrl } from "./base";

export interface DependencyStatus {
  status: "ok" | "down";
  latencyMs: number;
  error?: string;
}

export interface Health {
  status: "ok" | "degraded" | "down";
  version: string;
  checks: Record<string, DependencyStatus>;
}

/** `/api/health` answers 503 with the same checks when the database is down; both are a valid reading. */
export async function fetchHealth(signal?: AbortSignal): Promise<Health> {
  const response = await fetch(apiUrl("/health"), { signal });
  const body = (await response.json()) as Partial<Health> & { error?: { message: string } };
  if (!body.checks || !body.version)
    throw new Error(body.error?.message ?? `API answered ${response.status}`);
  return {
    status: response.status === 503 ? "down" : (body.status ?? "ok"),
    version: body.version,
    checks: body.checks,
  };
}
