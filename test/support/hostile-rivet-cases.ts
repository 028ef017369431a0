import fc from "fast-check";
import type { User } from "./hostile-input";
import { encodeText, type RivetCase } from "./hostile-rivet";
import type { HostileUsers } from "./hostile-users";
import {
  badConnParams,
  foreignOrMalformedKey,
  garbageActionBody,
  invalidJsonValue,
  MALFORMED_JSON,
  nastyText,
  WRONG_CONTENT_TYPES,
} from "./hostile-values";
import type { RivetRoute } from "./openapi-operations";

/** What the hostile-input suite sends each of RivetKit's manager routes (`hostile-rivet.ts`). */

/** An actor id of the right form that no actor has (ids carry a MAC: this one is not of the namespace). */
const unknownActorId = fc
  .array(fc.integer({ min: 0, max: 15 }), { minLength: 64, maxLength: 64 })
  .map((digits) => `${digits.map((d) => d.toString(16)).join("")}:0`);

/**
 * Cases for one route, against `victim` (with `badAuth` among others). `fuzzer` has no actor and must end with
 * none; `owner` owns a Grow Agent (for the bodies of action calls, which are read only once the caller is known to
 * own the actor).
 */
export function rivetCases(
  route: RivetRoute,
  fuzzer: User,
  owner: User & { growAgentActorId: string },
  { victim, badAuth }: Pick<HostileUsers, "victim" | "badAuth">,
) {
  const rawBadTokens = badAuth.filter((h) => h.startsWith("Bearer ")).map((h) => h.slice("Bearer ".length));
  const badParams = badConnParams(rawBadTokens, [fuzzer.id, victim.id]);
  const victimKeys = fc.constantFrom(
    ["growAgent", victim.id],
    ["subAgent", victim.subAgentKey.join("/")],
    ["subAgent", `${victim.id}/planted`],
  );
  const victimActorIds = fc.constantFrom(victim.growAgentActorId, victim.subAgentActorId);
  const options: fc.Arbitrary<RivetCase>[] = [];
  const base = { route, expect: [] as readonly number[] };

  if (route.credentials === "bearer") {
    // Bad credentials, against the fuzzer's own key (which would be created if they were accepted).
    options.push(
      fc
        .oneof(
          fc.constantFrom(...badAuth).map((authorization) => ({ authorization, params: undefined })),
          fc.constant({ authorization: undefined, params: undefined }),
          badParams.map((params) => ({ authorization: undefined, params })),
          fc
            .string({ unit: "grapheme-ascii", maxLength: 300 })
            .map((s) => ({ authorization: `Bearer ${s}`, params: undefined })),
        )
        .map(({ authorization, params }) => ({
          ...base,
          kind: "auth" as const,
          note: "bad credentials",
          authorization,
          params,
          name: "growAgent",
          key: fuzzer.id,
          expect: [401, 403],
        })),
    );
    // A valid token, on another user's keys or keys nobody may use.
    options.push(
      fc
        .oneof(
          victimKeys,
          fc.tuple(
            fc.oneof(
              fc.constantFrom("growAgent", "subAgent"),
              nastyText(20).map((n) => n.replace(/[\ud800-\udfff]/g, "x")),
            ),
            foreignOrMalformedKey(fuzzer.id, victim.id),
          ),
        )
        .filter(([name, key]) => !(name === "growAgent" && key === fuzzer.id))
        .map(([name, key]) => ({
          ...base,
          kind: "key" as const,
          note: "a key that is not the caller's",
          authorization: `Bearer ${fuzzer.token}`,
          name,
          key,
          // The caller's own sub-agent key may be looked up (it finds nothing); never created.
          expect: route.target === "query" && key.startsWith(`${fuzzer.id}/`) ? [200, 403] : [400, 403],
        })),
    );
  } else {
    const target = fc.oneof(victimActorIds, unknownActorId);
    options.push(
      fc.tuple(badParams, target).map(([params, actorId]) => ({
        ...base,
        kind: "auth" as const,
        note: "bad connection params",
        params,
        actorId,
        action: "whoami",
        expect: route.webSocket ? [101] : [401, 403],
      })),
      fc
        .tuple(victimActorIds, fc.constantFrom("whoami", "describe", "sendMessage", "ping", "stop"))
        .map(([actorId, action]) => ({
          ...base,
          kind: "foreign" as const,
          note: "another user's actor",
          params: { token: fuzzer.token },
          actorId,
          action,
          expect: route.webSocket ? [101] : [403],
        })),
      unknownActorId.map((actorId) => ({
        ...base,
        kind: "foreign" as const,
        note: "an actor nobody has",
        params: { token: fuzzer.token },
        actorId,
        action: "whoami",
        expect: route.webSocket ? [101] : [404],
      })),
    );
  }

  if (route.maxBodyBytes !== undefined) {
    const max = route.maxBodyBytes;
    const oversized = fc.tuple(fc.integer({ min: max + 1, max: Math.ceil(max * 1.25) }), fc.boolean());
    options.push(
      oversized.map(([size, chunked]) => ({
        ...base,
        kind: "oversize" as const,
        note: `${size} bytes${chunked ? ", chunked" : ""}`,
        ...(route.credentials === "bearer"
          ? { authorization: `Bearer ${fuzzer.token}`, name: "growAgent", key: fuzzer.id }
          : { params: { token: owner.token }, actorId: owner.growAgentActorId, action: "ping" }),
        body: {
          bytes: encodeText(
            route.credentials === "bearer"
              ? JSON.stringify({ name: "growAgent", key: fuzzer.id, pad: "p".repeat(size) })
              : JSON.stringify({ args: ["p".repeat(size)] }),
          ),
          encoding: "json",
          contentType: "application/json",
          chunked,
        },
        expect: [413],
      })),
    );
    if (route.credentials === "bearer") {
      options.push(
        fc
          .oneof(
            fc.constantFrom(...MALFORMED_JSON).map((text) => ({ text, contentType: "application/json" })),
            invalidJsonValue({ type: "object" }).map((value) => ({
              text: JSON.stringify(value),
              contentType: "application/json",
            })),
            fc.record({
              text: fc.constant(JSON.stringify({ name: "growAgent", key: fuzzer.id, input: "oWF4AQ==" })),
              contentType: fc.constantFrom(...WRONG_CONTENT_TYPES),
            }),
            fc
              .record({ name: fc.jsonValue({ maxDepth: 1 }), key: fc.jsonValue({ maxDepth: 1 }) })
              .map((v) => ({
                text: JSON.stringify(v),
                contentType: "application/json",
              })),
          )
          .map(({ text, contentType }) => ({
            ...base,
            kind: "garbage" as const,
            note: "a body that is no actor request of the caller's",
            authorization: `Bearer ${fuzzer.token}`,
            body: { bytes: encodeText(text), contentType },
            // Some are well-formed requests for keys that are not the caller's: refused as such.
            expect: [400, 403],
          })),
      );
    } else {
      options.push(
        garbageActionBody().map(({ bytes, encoding }) => ({
          ...base,
          kind: "garbage" as const,
          note: "an action body in no encoding",
          params: { token: owner.token },
          actorId: owner.growAgentActorId,
          action: "whoami",
          body: { bytes, encoding },
          // A body that happens to be valid runs `whoami` (read-only).
          expect: [200, 400],
        })),
        fc
          .constantFrom(
            "nope",
            "toString",
            "constructor",
            "__proto__",
            "hasOwnProperty",
            "relaySubAgentEvents",
            "subAgentFinished",
            "a".repeat(65),
            "x-y",
            "%2e%2e",
          )
          .map((action) => ({
            ...base,
            kind: "action-name" as const,
            note: "an action the client may not call",
            params: { token: owner.token },
            actorId: owner.growAgentActorId,
            action,
            expect: [400, 403, 404],
          })),
      );
    }
  }
  if (route.webSocket) {
    options.push(
      fc
        .constantFrom(
          ["chat"],
          ["rivet", "rivet_encoding.xml"],
          ["rivet", "rivet_conn_params.%7Bnope"],
          ["rivet", `rivet_conn_params.${"%E0%A4%A"}`],
          ["rivet_encoding.json"],
        )
        .map((protocols) => ({
          ...base,
          kind: "offer" as const,
          note: "not a RivetKit offer",
          protocols,
          actorId: owner.growAgentActorId,
          expect: [400],
        })),
    );
  }
  return fc.oneof(...options);
}
