import { setup } from "rivetkit";
import { growAgent } from "./grow-agent";
import { subAgent } from "./sub-agent";

/** Every actor type of the app; clients are typed from it: `createClient<typeof registry>(…)`. */
export const registry = setup({ use: { growAgent, subAgent } });

export type Registry = typeof registry;
