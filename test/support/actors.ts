import net from "node:net";
import { type Client, createClient } from "rivetkit/client";
import type { Registry } from "../../worker/src/actors/registry";

type ActorClient = Client<Registry>;

/**
 * The typed RivetKit client the SPA and API consumers use, pointed at a stack's `/api/rivet`.
 *
 * RivetKit's manager calls (finding or creating an actor: `get`, `getOrCreate`, `create`) carry no connection
 * params, so `/api/rivet` wants the session token there as `Authorization: Bearer` (the client's `headers`
 * option), as the SPA sends it. Pass `token` for a client of one user; without it, each handle's own
 * `params.token` is used for its manager calls (a handle with only `getParams` or no params sends none).
 */
export function actorClient(apiUrl: string, token?: string): ActorClient {
  const clientFor = (bearer?: string) =>
    createClient<Registry>({
      endpoint: `${apiUrl}/api/rivet`,
      headers: bearer === undefined ? {} : { authorization: `Bearer ${bearer}` },
    });
  if (token !== undefined) return clientFor(token);
  const anonymous = clientFor();
  return new Proxy(anonymous, {
    get(target, property, receiver) {
      if (property !== "growAgent" && property !== "subAgent") return Reflect.get(target, property, receiver);
      // `client.growAgent.getOrCreate(key, { params })`: the accessor's methods take their options second.
      return new Proxy(
        {},
        {
          get(_accessor, method) {
            return (...args: unknown[]) => {
              const paramsToken = (args[1] as { params?: { token?: unknown } } | undefined)?.params?.token;
              const client = typeof paramsToken === "string" ? clientFor(paramsToken) : target;
              const accessor = client[property] as unknown as Record<
                PropertyKey,
                (...a: unknown[]) => unknown
              >;
              return accessor[method]?.(...args);
            };
          },
        },
      );
    },
  });
}

/**
 * Has the user's Grow Agent start a sub-agent (no client may create one) on a new thread and waits until the turn
 * that delegated it has ended; the sub-agent's id (its key is `[userId, id]`). Runs real OpenCode on dev/fly.
 */
export async function spawnSubAgent(
  apiUrl: string,
  user: { id: string; token: string },
  task = "say hello",
): Promise<string> {
  const created = await fetch(`${apiUrl}/api/threads`, {
    method: "POST",
    headers: { authorization: `Bearer ${user.token}`, "content-type": "application/json" },
    body: "{}",
  });
  const threadId = ((await created.json()) as { id: string }).id;
  const conn = actorClient(apiUrl, user.token)
    .growAgent.getOrCreate([user.id], { params: { token: user.token } })
    .connect();
  const events: Array<{ threadId: string; type: string; data: { subAgentId?: string } }> = [];
  conn.on("event", (event: (typeof events)[number]) => {
    if (event.threadId === threadId) events.push(event);
  });
  try {
    await conn.sendMessage(threadId, `delegate: ${task}`);
    return await eventually(() => {
      const spawned = events.find((e) => e.type === "subagent.spawned")?.data.subAgentId;
      const ended = events.some((e) => e.type.startsWith("turn.") && e.type !== "turn.started");
      if (!spawned || !ended)
        throw new Error(`no finished sub-agent yet: ${events.map((e) => e.type).join(" ")}`);
      return spawned;
    }, 120_000);
  } finally {
    await conn.dispose();
  }
}

/** The RivetKit error code a refused call or connection surfaced, whatever the transport. */
export const errorCode = (error: unknown): string | undefined =>
  (error as { code?: string } | undefined)?.code;

/**
 * A loopback TCP relay in front of the API whose open sockets can be cut, to make a live client lose its
 * connection the way a network drop does (the client then reconnects on its own).
 */
export async function startDroppableRelay(apiUrl: string) {
  const target = new URL(apiUrl);
  const sockets = new Set<net.Socket>();
  const server = net.createServer((inbound) => {
    const outbound = net.connect(Number(target.port), target.hostname);
    for (const socket of [inbound, outbound]) {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
      socket.on("error", () => {});
    }
    inbound.pipe(outbound).pipe(inbound);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    dropAll() {
      for (const socket of sockets) socket.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Resolves when `check` passes, polling; rejects with its last error after `timeoutMs`. */
export async function eventually<T>(check: () => T | Promise<T>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
