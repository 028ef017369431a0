/**
 * The project's RivetKit driver for Cloudflare Durable Objects. Public surface: one function.
 * See docs/rivetkit-driver.md for how it maps RivetKit onto Durable Objects and what it does not do.
 */
export { createRivetOnDurableObjects } from "./rivet-handler";
