import { parseArgs } from "node:util";
import { startDevModel } from "./model-server";

/**
 * The dev model on its own: `tsx dev/model/main.ts --port 8791 [--host 127.0.0.1] [--delta-delay-ms 20]`.
 * Point the SDK at it with `ANTHROPIC_BASE_URL=http://127.0.0.1:8791` and any `ANTHROPIC_API_KEY`.
 * `--port 0` takes a free port and prints one JSON line `{ url }` for scripts that start it.
 */
const { values } = parseArgs({
  options: {
    port: { type: "string", default: process.env.MODEL_PORT ?? "8791" },
    host: { type: "string", default: "127.0.0.1" },
    "delta-delay-ms": { type: "string", default: "20" },
    quiet: { type: "boolean", default: false },
  },
});

const model = await startDevModel({
  port: Number(values.port),
  host: values.host,
  deltaDelayMs: Number(values["delta-delay-ms"]),
  log: values.quiet ? undefined : (line) => console.log(`[model] ${line}`),
});
if (Number(values.port) === 0) process.stdout.write(`${JSON.stringify({ url: model.url })}\n`);
else console.log(`[model] ready on ${model.url} (requests log: ${model.url}/_dev/requests)`);

const stop = async () => {
  await model.close();
  process.exit(0);
};
process.on("SIGINT", () => void stop());
process.on("SIGTERM", () => void stop());
