import { ApiError } from "../../../platform/api-error";
import { toBase64Url } from "../../../platform/base64url";

/**
 * Opaque page cursors. Clients pass back what they were given; the shape stays ours to change. A cursor is the
 * sort key of the last item returned, so rows inserted meanwhile are neither repeated nor skipped.
 */
export function encodeCursor(value: string | number): string {
  const bytes = new TextEncoder().encode(JSON.stringify({ v: value }));
  return toBase64Url(bytes);
}

const invalidCursor = () => new ApiError("invalid_cursor", "The cursor is not one this API returned");

function decode(cursor: string): unknown {
  try {
    const binary = atob(cursor.replaceAll("-", "+").replaceAll("_", "/"));
    const json = new TextDecoder().decode(Uint8Array.from(binary, (char) => char.charCodeAt(0)));
    return (JSON.parse(json) as { v?: unknown }).v;
  } catch {
    throw invalidCursor();
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function decodeIdCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  const value = decode(cursor);
  if (typeof value !== "string" || !UUID.test(value)) throw invalidCursor();
  return value;
}

export function decodeSeqCursor(cursor: string | undefined): number {
  if (cursor === undefined) return 0;
  const value = decode(cursor);
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) throw invalidCursor();
  return value;
}

/** Pages are fetched with one extra row: its presence says whether another page exists. */
export function splitPage<T>(rows: T[], limit: number): { rows: T[]; hasMore: boolean } {
  return { rows: rows.slice(0, limit), hasMore: rows.length > limit };
}
