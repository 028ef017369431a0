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
