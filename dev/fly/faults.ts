/** Test-only fault injection for dev/fly: never reachable in production, which talks to Fly itself. */
export interface FaultRule {
  method?: string;
  /** Regular expression matched against the API path (e.g. `/machines$`). */
  path?: string;
  status: number;
  /** How many matching requests fail; then the rule is spent. */
  count: number;
  retryAfterSeconds?: number;
  /** Carry the request out, then answer with the failure anyway (an answer lost on the way back). */
  afterHandling?: boolean;
}

export interface Faults {
  rules: FaultRule[];
  /** Image tags (e.g. `opencode`) whose machines boot but never answer health. */
  neverHealthyImages: string[];
}

export const noFaults = (): Faults => ({ rules: [], neverHealthyImages: [] });

/** The rule that fails this request, consuming one of its uses. */
export function takeFault(faults: Faults, method: string, path: string): FaultRule | undefined {
  const rule = faults.rules.find(
    (r) => r.count > 0 && (!r.method || r.method === method) && (!r.path || new RegExp(r.path).test(path)),
  );
  if (rule) rule.count--;
  return rule;
}

/**
 * Edge outages, test-only: machines (by id) or image tags (every machine of the role) that the edge cannot reach
 * until a time. Set in-process through the `DevFly` handle only, never over HTTP, so nothing that reaches dev/fly
 * through its API can cut a user off.
 */
export class EdgeOutages {
  private readonly until = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  /** `forMs` from now; 0 or less ends an outage early. */
  set(key: { machineId: string } | { image: string }, forMs: number): void {
    const id = "machineId" in key ? `machine:${key.machineId}` : `image:${key.image}`;
    if (forMs > 0) this.until.set(id, this.now() + forMs);
    else this.until.delete(id);
  }

  /** Whether the edge must drop traffic to this machine now. */
  cuts(machineId: string, image: string): boolean {
    const now = this.now();
    return [`machine:${machineId}`, `image:${image}`].some((id) => (this.until.get(id) ?? 0) > now);
  }
}
