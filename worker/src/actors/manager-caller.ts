import type { Context } from "hono";
import { userFromAuthorization } from "../auth/require-user";
import { bearerToken } from "../auth/verify-token";
import type { AppEnv } from "../env";
import { RATE_LIMIT_WINDOW_SECONDS } from "../http/limits";
import { takeUserRequest } from "../http/rate-limit";
import { verifyInternalParams } from "./internal-auth";
import { Refused } from "./manager-refusal";
import {
  type Caller,
  CONN_PARAMS_HEADER,
  type Credential,
  credentialFromParamsHeader,
  refusal,
} from "./manager-routes";

/** Who is calling the manager guard (manager-guard.ts): the credential a request carries, verified and counted. */

/** Manager calls carry no connection params: RivetKit's client sends its `headers`/`token` options instead. */
export function managerCredential(c: Context<AppEnv>): Credential {
  const authorization = c.req.header("authorization");
  if (authorization !== undefined) return { kind: "token", token: bearerToken(authorization) };
  return credentialFromParamsHeader(c.req.header(CONN_PARAMS_HEADER));
}

/** Verifies the credential as the actors do (connection-auth.ts), then counts the request against the user. */
export async function callerOf(c: Context<AppEnv>, credential: Credential): Promise<Caller> {
  let caller: Caller | undefined;
  switch (credential.kind) {
    case "none":
      throw new Refused(
        refusal(
          401,
          "missing_token",
          "Pass a session token: connection params { token } or Authorization: Bearer",
        ),
      );
    case "malformed":
      throw new Refused(refusal(401, "invalid_token", "The connection params carry no valid session token"));
    case "internal": {
      // The credential names the actor type it is for; decideAccess holds it to the actor addressed.
      const audiences = ["growAgent", "subAgent"] as const;
      for (const audience of audiences) {
        const verified = await verifyInternalParams(c.env, credential.params, audience);
        if (verified) caller = { userId: verified.userId, internal: true, audience };
      }
      if (!caller) throw new Refused(refusal(403, "forbidden", "Invalid internal credentials"));
      break;
    }
    case "token": {
      // The REST API's path: the same shape and length check before any cryptography, the same user cache.
      const { user } = await userFromAuthorization(c.env, c.var.db, `Bearer ${credential.token}`);
      caller = { userId: user.id, internal: false };
      break;
    }
  }
  if (!(await takeUserRequest(c.env, caller.userId))) {
    throw new Refused({
      ...refusal(429, "rate_limited", `Too many requests; retry in ${RATE_LIMIT_WINDOW_SECONDS} seconds`),
      headers: { "Retry-After": String(RATE_LIMIT_WINDOW_SECONDS) },
    });
  }
  return caller;
}
