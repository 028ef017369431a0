import { setup } from "rivetkit";
import { MAX_MEMORY_BODY_BYTES } from "../http/limits";
import { growAgent } from "./grow-agent";
import { subAgent } from "./sub-agent";

/** Every actor type of the app; clients are typed from it: `createClient<typeof registry>(…)`. */
export const registry = setup({
  use: { growAgent, subAgent },
  // RivetKit's default (64 KiB) would refuse a legitimate 256 KiB memory file on its way to commitMemory.
  maxIncomingMessageSize: MAX_MEMORY_BODY_BYTES,
});

export type Registry = typeof registry;
