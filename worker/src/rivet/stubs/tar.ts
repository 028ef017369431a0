/**
 * Build alias for `tar` (wrangler.toml `[alias]`): RivetKit unpacks its inspector UI with it, and the
 * inspector is disabled on Workers. Saves ~118 KiB of bundle.
 */
export function extract(): never {
  throw new Error("tar is not available in a Worker (the RivetKit inspector is disabled here)");
}
