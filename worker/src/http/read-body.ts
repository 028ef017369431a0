/**
 * How much of a refused body is still read and dropped before answering: `wrangler dev`'s proxy can lose the
 * connection when the answer comes before the body was sent (the hostile-input flake, docs/reliability.md).
 */
export const DRAIN_BYTES = 1024 * 1024;

/**
 * The body, or undefined past `max` bytes (declared or streamed). A body past the limit is still read (and
 * dropped) up to DRAIN_BYTES before the caller answers, so the answer does not race the upload.
 */
export async function readBodyWithin(request: Request, max: number): Promise<Uint8Array | undefined> {
  if (!request.body) return new Uint8Array(0);
  if (Number(request.headers.get("content-length")) > max) {
    await drainBody(request);
    return undefined;
  }
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max + DRAIN_BYTES) {
      await reader.cancel().catch(() => {});
      break;
    }
    if (size <= max) chunks.push(value);
  }
  if (size > max) return undefined;
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/** Reads what is left of a refused body, up to DRAIN_BYTES; a larger declared body is left alone. */
export async function drainBody(request: Request): Promise<void> {
  if (!request.body || request.bodyUsed) return;
  if (Number(request.headers.get("content-length")) > DRAIN_BYTES) return;
  try {
    const reader = request.body.getReader();
    let size = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      size += value.byteLength;
      if (size > DRAIN_BYTES) {
        await reader.cancel();
        return;
      }
    }
  } catch {
    // The client went away: nothing to answer anyway.
  }
}
