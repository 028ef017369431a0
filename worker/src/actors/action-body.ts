import { decode as decodeCbor } from "cbor-x";

/**
 * Does an HTTP action body decode the way RivetKit's actor router will decode it (rivetkit 2.2.1 `handleAction`),
 * into an argument list? RivetKit throws a plain error for a body it cannot read, which its router answers as
 * `internal_error` (500); checked here first, a broken body is the caller's 400 and never wakes the actor.
 *
 * - `json`: `{ "args": [...] }`;
 * - `cbor`: the same object in CBOR;
 * - `bare`: a u16 (little-endian) schema version 1–3, then the BARE struct `{ args: data }` (a LEB128 length and
 *   that many bytes, nothing after), the data being the CBOR of the argument list.
 *
 * Any of them with arguments that are not a list fails too: RivetKit spreads them into the action.
 */
export function isActionBody(encoding: "json" | "cbor" | "bare", body: Uint8Array): boolean {
  try {
    switch (encoding) {
      case "json":
        return hasArgList(
          JSON.parse(new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(body)),
        );
      case "cbor":
        return hasArgList(decodeCbor(body));
      case "bare": {
        const args = bareActionArgs(body);
        return args !== undefined && Array.isArray(decodeCbor(args));
      }
    }
  } catch {
    return false;
  }
}

const hasArgList = (value: unknown): boolean =>
  typeof value === "object" && value !== null && Array.isArray((value as { args?: unknown }).args);

const BARE_VERSIONS = [1, 2, 3];

/** The `args` bytes of a versioned BARE action request, or undefined when it is not one. */
function bareActionArgs(body: Uint8Array): Uint8Array | undefined {
  if (body.length < 3) return undefined;
  const version = (body[0] ?? 0) + (body[1] ?? 0) * 256;
  if (!BARE_VERSIONS.includes(version)) return undefined;
  let length = 0;
  let offset = 2;
  // LEB128, canonical as bare-ts wants it; more than 4 bytes would mean over 256 MiB, far past any body here.
  for (let shift = 0; ; shift += 7) {
    if (shift > 21 || offset >= body.length) return undefined;
    const byte = body[offset++] ?? 0;
    if (byte === 0 && shift > 0) return undefined;
    length += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) break;
  }
  if (offset + length !== body.length || length === 0) return undefined;
  return body.subarray(offset);
}
