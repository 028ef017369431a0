/**
 * Build alias for `@rivetkit/engine-runner` (wrangler.toml `[alias]`): the runner that connects to a Rivet
 * Engine is not used when actors run on Durable Objects. Saves ~115 KiB of bundle. `idToStr` is kept
 * (same behaviour as upstream) because RivetKit's connection code formats hibernation ids with it.
 */
export function idToStr(id: ArrayBuffer): string {
  return Array.from(new Uint8Array(id), (byte) => byte.toString(16).padStart(2, "0")).join("");
}

export class Runner {
  constructor() {
    throw new Error("the Rivet Engine runner is not available on the Durable Objects driver");
  }
}
