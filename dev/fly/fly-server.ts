import http from "node:http";
import type { AddressInfo } from "node:net";
import { EdgeOutages, type Faults, noFaults, takeFault } from "./faults";
import { createFlyApi, HttpError, readJson } from "./fly-api";
import { defaultImages, type ImageRunner, imageTag } from "./images";
import type { MachineState } from "./local-machine";

export interface DevFlyOptions {
  /** Bearer token the API requires (any non-empty string locally). */
  token: string;
  /** Apps that exist from the start, as if created by `fly apps create`. */
  apps?: string[];
  /** Machines and volumes live under here (volumes are directories, so data survives stop/start). */
  stateDir: string;
  /** Image tag → local process; defaults to OpenCode and dev/gitea (see images.ts). */
  images?: Record<string, ImageRunner>;
  port?: number;
  log?: (line: string) => void;
}

export interface DevFly {
  /** Base URL of the API, `…/v1`, as FLY_API_URL. */
  apiUrl: string;
  token: string;
  /** The "edge": requests with `fly-force-instance-id` are proxied to that machine (like `<app>.fly.dev`). */
  edgeUrl: string;
  faults: Faults;
  /**
   * Test-only: the edge drops all traffic to machine `machineId` for `forMs` (0 ends it early), as if its host
   * were unreachable: requests in flight are cut and new connections are reset before reaching the machine, which
   * keeps running. Only on this handle, never over HTTP.
   */
  interruptMachine(machineId: string, forMs: number): void;
  /** The same for every machine of an image tag (`gitea`, `opencode`), machines created meanwhile included. */
  interruptImage(tag: string, forMs: number): void;
  /** Every API request served (method, path, status), for tests. */
  requests: Array<{ method: string; path: string; status: number }>;
  machines(): Array<{
    id: string;
    app: string;
    name: string;
    state: MachineState;
    port?: number;
    /** The local process, while it runs (benchmarks read its CPU time). */
    pid?: number;
  }>;
  close(): Promise<void>;
}

/**
 * A local Fly Machines API for the subset the provisioner uses (routes.ts), shaped by Fly's spec (response
 * types come from the generated client types). Each machine is a real local process on a loopback port.
 */
export async function startDevFly(options: DevFlyOptions): Promise<DevFly> {
  const log = options.log ?? (() => {});
  const faults = noFaults();
  const requests: DevFly["requests"] = [];
  const api = createFlyApi({
    token: options.token,
    apps: options.apps ?? [],
    stateDir: options.stateDir,
    images: options.images ?? defaultImages(),
    faults,
    log,
  });
  const { machines, persist } = api;
  const outages = new EdgeOutages();
  const inFlight = new Set<{ machineId: string; image: string; response: http.ServerResponse }>();
  const interrupt = (key: { machineId: string } | { image: string }, forMs: number) => {
    outages.set(key, forMs);
    for (const flight of inFlight)
      if (outages.cuts(flight.machineId, flight.image)) flight.response.destroy();
  };

  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://dev-fly.local");
    const instance = request.headers["fly-force-instance-id"];
    if (typeof instance === "string") return void proxyToMachine(instance, request, response);
    if (url.pathname.startsWith("/_dev/")) return void control(url, request, response);
    const method = request.method ?? "GET";
    const respond = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      requests.push({ method, path: url.pathname, status });
      response.writeHead(status, { "content-type": "application/json", ...headers });
      response.end(JSON.stringify(body));
    };
    const fault = takeFault(faults, method, url.pathname);
    if (fault) {
      const headers: Record<string, string> = {};
      if (fault.retryAfterSeconds !== undefined) headers["retry-after"] = String(fault.retryAfterSeconds);
      const fail = () => respond(fault.status, { error: `injected fault ${fault.status}` }, headers);
      // A lost answer: the request takes effect, the client hears only the failure.
      if (fault.afterHandling)
        return void api
          .handle(method, url, request)
          .then(persist, () => {})
          .then(fail);
      // Drain the body first so the client sees a clean response, not a reset.
      request.resume();
      return fail();
    }
    api.handle(method, url, request).then(
      ([status, body]) => {
        if (method !== "GET") persist();
        respond(status, body);
      },
      (error: unknown) => {
        if (error instanceof HttpError) return respond(error.status, { error: error.message });
        log(`error: ${error instanceof Error ? error.stack : String(error)}`);
        respond(500, { error: "internal error" });
      },
    );
  });

  /**
   * Fly's proxy with `autostart`: a request for a stopped machine starts it first. A suspended one is not
   * resumed here, so that tests can see a suspended stack really refuse traffic until the provisioner wakes it.
   */
  async function proxyToMachine(id: string, request: http.IncomingMessage, response: http.ServerResponse) {
    const record = machines.get(id);
    const image = imageTag(record?.config.image);
    // An outage: the connection dies before anything reaches the machine (and before autostart could wake it).
    if (record && outages.cuts(id, image)) return void request.socket.destroy();
    if (record?.local.state === "stopped") {
      await record.local.start();
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const port = record?.local.state === "started" ? record.local.port : undefined;
    if (!port) {
      request.resume();
      response.writeHead(503, { "content-type": "application/json" });
      response.end(JSON.stringify({ error: `machine ${id} is not started` }));
      return;
    }
    const upstream = http.request(
      { host: "127.0.0.1", port, method: request.method, path: request.url, headers: request.headers },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
        // A machine that dies mid-response (a stream, say) cuts the client's connection, as Fly's proxy does;
        // otherwise the client would wait forever on a response nobody will finish.
        answer.on("close", () => {
          if (!answer.complete) response.destroy();
        });
      },
    );
    const flight = { machineId: id, image, response };
    inFlight.add(flight);
    response.on("close", () => {
      inFlight.delete(flight);
      if (!response.writableFinished) upstream.destroy();
    });
    upstream.on("error", () => {
      if (!response.headersSent) response.writeHead(502, { "content-type": "application/json" });
      response.end(JSON.stringify({ error: "machine did not answer" }));
    });
    request.pipe(upstream);
  }

  async function control(url: URL, request: http.IncomingMessage, response: http.ServerResponse) {
    const send = (body: unknown) => {
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify(body));
    };
    if (url.pathname === "/_dev/faults" && request.method === "POST") {
      const body = (await readJson(request)) as Partial<Faults>;
      faults.rules = body.rules ?? [];
      faults.neverHealthyImages = body.neverHealthyImages ?? [];
      return send({ ok: true });
    }
    if (url.pathname === "/_dev/state") return send({ requests, machines: listMachines() });
    response.writeHead(404).end();
  }

  const listMachines = () =>
    [...machines].map(([id, m]) => ({
      id,
      app: m.app,
      name: m.name,
      state: m.local.state,
      port: m.local.port,
      pid: m.local.pid,
    }));

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    apiUrl: `${base}/v1`,
    token: options.token,
    edgeUrl: base,
    faults,
    interruptMachine: (machineId, forMs) => interrupt({ machineId }, forMs),
    interruptImage: (tag, forMs) => interrupt({ image: tag }, forMs),
    requests,
    machines: listMachines,
    async close() {
      await Promise.all([...machines.values()].map((m) => m.local.destroy().catch(() => {})));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
