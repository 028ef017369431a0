import {
  CONN_PARAMS_HEADER,
  ENCODINGS,
  isEncoding,
  type Refusal,
  refusal,
  type WebSocketOffer,
} from "./manager-routes";

/**
 * The requests the manager guard (manager-guard.ts) forwards to RivetKit, parsed and rebuilt from what was checked
 * so RivetKit never parses anything the guard did not. Pure: the guard reads the bodies and does the I/O.
 */

export type Parsed<T> = { ok: true; value: T } | { ok: false; refusal: Refusal };

/** A `PUT`/`POST /actors` body, the fields the manager reads. */
export interface ActorRequest {
  name: string;
  key: string;
  /** RivetKit's base64 CBOR input, when one was sent. */
  input?: string;
}

const invalid = (message: string): Parsed<never> => ({
  ok: false,
  refusal: refusal(400, "invalid_request", message),
});

/** `PUT`/`POST /actors` bodies as RivetKit's client sends them (JSON); only the fields the manager reads. */
export function parseActorRequest(bytes: Uint8Array): Parsed<ActorRequest> {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes));
  } catch {
    return invalid("The body is not JSON");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    return invalid("The body must be a JSON object");
  const { name, key, input } = value as Record<string, unknown>;
  if (typeof name !== "string" || typeof key !== "string") return invalid("name and key must be strings");
  if (input !== undefined && input !== null && typeof input !== "string")
    return invalid("input must be a string");
  return {
    ok: true,
    value: { name, key, ...(typeof input === "string" && input.length > 0 ? { input } : {}) },
  };
}

/** The JSON body forwarded to RivetKit's `PUT`/`POST /actors`, from the checked request only. */
export const forwardedActorRequest = (request: ActorRequest) =>
  JSON.stringify({
    name: request.name,
    key: request.key,
    runner_name_selector: "default",
    crash_policy: "sleep",
    ...(request.input === undefined ? {} : { input: request.input }),
  });

/** An action's `x-rivet-encoding`: absent (RivetKit's json) or one of RivetKit's encodings. */
export function parseActionEncoding(
  header: string | undefined,
): Parsed<WebSocketOffer["encoding"] | undefined> {
  if (header === undefined || isEncoding(header)) return { ok: true, value: header };
  return {
    ok: false,
    refusal: refusal(400, "invalid_encoding", `Unknown encoding; use one of ${ENCODINGS.join(", ")}`),
  };
}

/** The only headers an action passes on: its content type, encoding and connection params (when sent). */
export function forwardedActionHeaders(sent: {
  contentType: string | undefined;
  encoding: string | undefined;
  params: string | undefined;
}): Headers {
  const headers = new Headers();
  for (const [name, value] of [
    ["content-type", sent.contentType],
    ["x-rivet-encoding", sent.encoding],
    [CONN_PARAMS_HEADER, sent.params],
  ] as const) {
    if (value !== undefined) headers.set(name, value);
  }
  return headers;
}

/** The sub-protocols RivetKit's gateway reads, rebuilt from the parsed offer. */
export function offerProtocols(offer: WebSocketOffer): string[] {
  const protocols = ["rivet", `rivet_encoding.${offer.encoding}`];
  if (offer.params !== undefined)
    protocols.push(`rivet_conn_params.${encodeURIComponent(JSON.stringify(offer.params))}`);
  return protocols;
}
