import type { Env as WorkerEnv } from "./env";

// Types `env` and `exports` from "cloudflare:workers" (used by the workerd tests) as this Worker's own.
declare global {
  namespace Cloudflare {
    interface Env extends WorkerEnv {}
    interface GlobalProps {
      mainModule: typeof import("./index");
    }
  }
}
