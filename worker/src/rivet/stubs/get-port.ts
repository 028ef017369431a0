/** Build alias for `get-port` (wrangler.toml `[alias]`): only RivetKit's local Node server picks ports. */
export default async function getPort(): Promise<never> {
  throw new Error("get-port is not available in a Worker");
}
