// Plain JavaScript so it starts in a few tens of milliseconds (no TypeScript loader): tests start many of these.
import http from "node:http";

/**
 * Stand-in for a machine image that has no local build (an unknown tag, or tests that need no real server):
 * answers health on PORT. With `--never-healthy` it listens but answers 503, which is how tests model a machine that boots and
 * never becomes healthy.
 */
const port = Number(process.env.PORT ?? 0);
const healthy = !process.argv.includes("--never-healthy");
const name = process.env.PLACEHOLDER_NAME ?? "placeholder";

http
  .createServer((request, response) => {
    const status = healthy ? 200 : 503;
    response.writeHead(status, { "content-type": "application/json" });
    response.end(JSON.stringify({ service: name, healthy, path: request.url }));
  })
  .listen(port, "127.0.0.1", () => console.log(`${name} listening on 127.0.0.1:${port}`));

process.on("SIGTERM", () => process.exit(0));
