import { ApiError } from "../../../platform/api-error";
import { GITEA_ADMIN_USER, type StackConnection } from "../../../provisioner/src/stack/stack-record";
import { GiteaClient } from "./gitea-client";

/** A read that needs git found the user's Gitea machine asleep: it is being started; retry shortly (503). */
export class MemoryWakingError extends ApiError {
  override readonly name = "MemoryWakingError";
  /** Resolves when the wake this error announced is over, to whether the machine is up: a writer may wait for it. */
  constructor(readonly woken: Promise<boolean>) {
    super("memory_waking", "Your memory is waking up; try again in a few seconds");
  }
}

export interface UserGiteaDeps {
  /** The provisioner's `stackConnection` for this user: where their machines are, and the stack's secrets. */
  connection(): Promise<StackConnection>;
  /** Starts the user's Gitea machine; resolves to whether it is up (never rejects). */
  wake(): Promise<boolean>;
  /** Keeps `work` going after the caller has its answer (the request's waitUntil, or the actor's life). */
  background(work: Promise<unknown>): void;
  fetch?: (request: Request) => Promise<Response>;
}

/**
 * A client for the user's own Gitea machine, as its admin (HTTP Basic with the stack's secret: Gitea cannot
 * import a token, see runtime/gitea/bootstrap.sh), every request pinned to that machine through the app's edge
 * (`fly-force-instance-id`, Fly's proxy in production, dev/fly locally). No other user's machine is ever
 * addressed: the machine id and the password both come from this user's stack.
 *
 * While the machine is not up: with `wake`, it is started in the background and `MemoryWakingError` thrown (a
 * write waits in the outbox meanwhile, a read answers 503 `memory_waking`); without, null (L2 answers instead).
 */
export async function userGitea(
  deps: UserGiteaDeps,
  options: { wake: boolean },
): Promise<GiteaClient | null> {
  const stack = await deps.connection();
  const machineId = stack.giteaMachineId;
  const password = stack.giteaAdminPassword;
  if (stack.up.includes("gitea") && (!machineId || !password)) {
    // Not a sleeping machine: waking would answer at once and loop. An outage for the caller's backoff.
    throw new Error("the stack reports its Gitea machine up without its id or credentials");
  }
  if (!stack.up.includes("gitea") || !machineId || !password) {
    if (!options.wake) return null;
    const woken = deps.wake();
    deps.background(woken);
    throw new MemoryWakingError(woken);
  }
  const send = deps.fetch ?? ((request: Request) => fetch(request));
  return new GiteaClient({
    baseUrl: stack.edgeUrl,
    auth: { basic: { username: GITEA_ADMIN_USER, password } },
    fetch: (request) => {
      const pinned = new Request(request);
      pinned.headers.set("fly-force-instance-id", machineId);
      return send(pinned);
    },
  });
}
