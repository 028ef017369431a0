import type { AuthProvider } from "../auth/auth-provider";

/** The connection params of an actor connection: RivetKit calls this on every (re)connect, so each gets a fresh token. */
export const actorParams =
  (provider: Pick<AuthProvider, "token">) => async (): Promise<{ token: string }> => ({
    token: (await provider.token()) ?? "",
  });
