import { WorkerEntrypoint } from "cloudflare:workers";
import { Hono } from "hono";
import { handleError, handleNotFound, requestContext } from "../../platform/request-context";
import type { Env, ProvisionerEnv } from "./env";
import type { EnsureOptions, StackConnection, StackView } from "./stack/stack-record";

export { UserStack } from "./stack/user-stack.do";

const app = new Hono<ProvisionerEnv>()
  .use(requestContext("provisioner"))
  .get("/health", (c) => c.json({ status: "ok", service: "provisioner" }))
  .notFound(handleNotFound)
  .onError(handleError);

// Durable Object names are user ids; anything else is a caller bug, refused before it reaches a DO.
const USER_ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * The Durable Object's answer as plain data, its RPC result disposed. An object that comes back from an RPC call
 * carries a disposer, and handing it on as is (or the call's promise itself) makes our own answer one with a
 * disposer too: the caller's RPC session then stays open until the caller disposes the result or the garbage
 * collector gets to it, which nobody does. In a caller that is a Durable Object (the growAgent reads its memory
 * through `stackConnection` on every turn, sub-agents wake their stack) that open session is pending work, so
 * workerd kept the object in memory 75 s and more after a turn instead of ~10 s (docs/decisions/0011).
 */
async function plain<T>(call: Promise<T>): Promise<T> {
  const result = await call;
  if (typeof result !== "object" || result === null) return result;
  try {
    return structuredClone(result);
  } finally {
    (result as { [Symbol.dispose]?: () => void })[Symbol.dispose]?.();
  }
}

/**
 * The provisioner's RPC interface, reached only through the main Worker's `PROVISIONER` service binding (it has
 * no public route: workers_dev = false). The caller passes the verified user id; each call goes to that user's
 * UserStack Durable Object, which serialises it with every other change to the same stack.
 */
export default class Provisioner extends WorkerEntrypoint<Env> {
  override fetch(request: Request): Response | Promise<Response> {
    return app.fetch(request, this.env, this.ctx);
  }

  private stack(userId: string) {
    if (!USER_ID.test(userId)) throw new Error("invalid user id");
    return this.env.USER_STACK.get(this.env.USER_STACK.idFromName(userId));
  }

  /**
   * Makes sure the user's machines exist, are started and healthy; answers at once when they already are. With
   * `startAllowed: false` it starts nothing: a stack that is not ready comes back as it is, with all its events,
   * for the caller to decide (the Worker's plan gate), so a ready stack costs one call.
   */
  ensureStack(userId: string, options: EnsureOptions = {}): Promise<StackView> {
    return plain(this.stack(userId).ensure(userId, options));
  }

  /** The stack as it is, with progress events after `afterSeq`; never calls Fly. */
  stackStatus(userId: string, afterSeq = 0): Promise<StackView> {
    return plain(this.stack(userId).status(userId, afterSeq));
  }

  suspendStack(userId: string): Promise<StackView> {
    return plain(this.stack(userId).suspend(userId));
  }

  destroyStack(userId: string): Promise<StackView> {
    return plain(this.stack(userId).destroy(userId));
  }

  /** Machine ids and credentials for backend callers (sub-agents). Never forward this to a browser. */
  stackConnection(userId: string): Promise<StackConnection> {
    return plain(this.stack(userId).connection(userId));
  }

  /** Baseline for the benchmark: one DO RPC that does nothing. */
  ping(userId: string): Promise<string> {
    return plain(this.stack(userId).ping());
  }
}
