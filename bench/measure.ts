import autocannon from "autocannon";
import type { CpuRole } from "./process-cpu";

export interface Scenario {
  name: string;
  path: string;
  /** One header set per connection, used round-robin (e.g. a different user per connection). */
  connectionHeaders?: Array<Record<string, string>>;
}

export interface Measurement {
  name: string;
  path: string;
  requests: number;
  non2xx: number;
  errors: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** CPU per request of each of the stack's processes while this ran (process-cpu.ts); absent off Linux. */
  cpuMsPerRequest?: Partial<Record<CpuRole, number>>;
  /** Their sum (over several rounds, the median of each round's sum, not the sum of the medians). */
  cpuTotalMsPerRequest?: number;
}

export interface LoadSettings {
  durationSeconds: number;
  connections: number;
}

/** Drives one route with closed-loop load from this process and summarises the latency histogram. */
export async function measure(baseUrl: string, scenario: Scenario, load: LoadSettings): Promise<Measurement> {
  let nextConnection = 0;
  const result = await autocannon({
    url: `${baseUrl}${scenario.path}`,
    connections: load.connections,
    duration: load.durationSeconds,
    setupClient: (client) => {
      const headers = scenario.connectionHeaders?.[nextConnection++ % scenario.connectionHeaders.length];
      if (headers) client.setHeaders(headers);
    },
  });
  return {
    name: scenario.name,
    path: scenario.path,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    requestsPerSecond: Math.round(result.requests.average),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
  };
}
