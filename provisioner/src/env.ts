import type { RequestVariables } from "../../platform/request-context";

/** Bindings of the provisioner Worker. Reached only through the main Worker's service binding. */
export interface Env {
  DATABASE_URL: string;
  DB_WS_PROXY?: string;
}

export type ProvisionerEnv = { Bindings: Env; Variables: RequestVariables };
