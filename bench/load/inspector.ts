import { once } from "node:events";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { TraceMap } from "@jridgewell/trace-mapping";
import WebSocket from "ws";

interface InspectorMessage {
  id?: number;
  method?: string;
  params?: { scriptId: string; url: string; sourceMapURL?: string; context?: { id: number } };
  result?: unknown;
  error?: { message: string };
}

/** One Chrome DevTools Protocol session on the Workers' isolate, shared by the profile and the DO request count. */
export interface Inspector {
  send<T>(method: string, params?: object): Promise<T>;
  /** Evaluates `expression` in the isolate's newest context and returns its value. */
  evaluate<T>(expression: string): Promise<T>;
  /** The source map of each script the isolate runs from a file (our bundle), read while it still exists. */
  sourceMaps(): Promise<Map<string, TraceMap>>;
  close(): void;
}

/**
 * Connects to `wrangler dev`'s inspector: its one target is the first Worker, whose isolate also runs the actors'
 * Durable Objects. The proxy accepts a client only with a localhost Origin. The debugger is enabled only to learn
 * each script's file and source map.
 */
export async function openInspector(inspectorUrl: string): Promise<Inspector> {
  const [target] = (await (await fetch(`${inspectorUrl}/json`)).json()) as Array<{
    webSocketDebuggerUrl: string;
  }>;
  if (!target) throw new Error(`no inspector target at ${inspectorUrl}`);
  const socket = new WebSocket(target.webSocketDebuggerUrl, { origin: "http://localhost" });
  await once(socket, "open");
  let lastId = 0;
  const waiting = new Map<number, (message: InspectorMessage) => void>();
  const scripts = new Map<string, { url: string; sourceMapURL?: string }>();
  let contextId: number | undefined;
  socket.on("message", (data) => {
    const message = JSON.parse(String(data)) as InspectorMessage;
    if (message.method === "Debugger.scriptParsed" && message.params) {
      scripts.set(message.params.scriptId, message.params);
    }
    if (message.method === "Runtime.executionContextCreated") contextId = message.params?.context?.id;
    if (message.id === undefined) return;
    waiting.get(message.id)?.(message);
    waiting.delete(message.id);
  });
  const send = <T>(method: string, params: object = {}) =>
    new Promise<T>((resolve, reject) => {
      const id = ++lastId;
      waiting.set(id, (m) =>
        m.error ? reject(new Error(`${method}: ${m.error.message}`)) : resolve(m.result as T),
      );
      socket.send(JSON.stringify({ id, method, params }));
    });
  await send("Runtime.enable");
  await send("Debugger.enable");
  await send("Profiler.enable");
  return {
    send,
    async evaluate<T>(expression: string) {
      if (contextId === undefined) throw new Error("the inspector reported no execution context");
      const { result, exceptionDetails } = await send<{
        result: { value: T };
        exceptionDetails?: { text: string };
      }>("Runtime.evaluate", { expression, contextId, returnByValue: true });
      if (exceptionDetails) throw new Error(`evaluating ${expression}: ${exceptionDetails.text}`);
      return result.value;
    },
    async sourceMaps() {
      const maps = new Map<string, TraceMap>();
      for (const [scriptId, script] of scripts) {
        if (!script.sourceMapURL || !script.url.startsWith("file://")) continue;
        const mapUrl = new URL(script.sourceMapURL, script.url);
        if (mapUrl.protocol !== "file:") continue;
        const text = await readFile(fileURLToPath(mapUrl), "utf8").catch(() => undefined);
        if (text) maps.set(scriptId, new TraceMap(text, script.url));
      }
      return maps;
    },
    close() {
      socket.close();
    },
  };
}
