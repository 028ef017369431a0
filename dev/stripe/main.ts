import { parseArgs } from "node:util";
import { startDevStripe } from "./stripe-server";

/**
 * dev/stripe on its own: `tsx dev/stripe/main.ts --port 12111 [--webhook-url http://127.0.0.1:8787/api/webhooks/stripe]
 * [--state .dev/stripe.json]`. Prints the settings the Worker needs (STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET,
 * STRIPE_API_HOST/PORT/PROTOCOL); `--secret-key`/`--webhook-secret` fix them instead of generating new ones.
 */
const { values } = parseArgs({
  options: {
    port: { type: "string", default: "12111" },
    "webhook-url": { type: "string" },
    "secret-key": { type: "string" },
    "webhook-secret": { type: "string" },
    state: { type: "string" },
  },
});

const stripe = await startDevStripe({
  port: Number(values.port),
  webhookUrl: values["webhook-url"],
  secretKey: values["secret-key"],
  webhookSecret: values["webhook-secret"],
  stateFile: values.state,
  log: (line) => console.log(`[stripe] ${line}`),
});
console.log(`[stripe] ready on ${stripe.url}; Worker settings:`);
for (const [name, value] of Object.entries(stripe.workerVars)) console.log(`${name}=${value}`);

const stop = async () => {
  await stripe.close();
  process.exit(0);
};
process.on("SIGINT", () => void stop());
process.on("SIGTERM", () => void stop());
