import { describe, expect, it } from "vitest";
import { DRAIN_BYTES, drainBody, readBodyWithin } from "./read-body";

/** A request whose body arrives in chunks (no Content-Length), recording how much of it was read. */
function chunked(chunks: number, chunkBytes: number) {
  let pulled = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (pulled >= chunks) return controller.close();
      pulled++;
      controller.enqueue(new Uint8Array(chunkBytes).fill(pulled % 256));
    },
  });
  const request = new Request("http://x/", { method: "POST", body, duplex: "half" } as RequestInit);
  return { request, bytesRead: () => pulled * chunkBytes };
}

describe("readBodyWithin", () => {
  it("returns the whole body within the limit, in order", async () => {
    const { request } = chunked(3, 10);
    const bytes = await readBodyWithin(request, 30);
    expect(bytes?.length).toBe(30);
    expect([bytes?.[0], bytes?.[10], bytes?.[29]]).toEqual([1, 2, 3]);
  });

  it("refuses a streamed body past the limit, after reading it to its end (under the drain cap)", async () => {
    const { request, bytesRead } = chunked(10, 1024);
    expect(await readBodyWithin(request, 4096)).toBeUndefined();
    expect(bytesRead()).toBe(10 * 1024);
  });

  it("stops reading a streamed body once it passes the limit by the drain cap", async () => {
    const { request, bytesRead } = chunked(4096, 1024);
    expect(await readBodyWithin(request, 1024)).toBeUndefined();
    expect(bytesRead()).toBeLessThan(1024 + DRAIN_BYTES + 64 * 1024);
  });

  it("refuses a declared Content-Length past the limit without buffering it", async () => {
    const request = new Request("http://x/", {
      method: "POST",
      body: "x".repeat(2048),
      headers: { "content-length": "2048" },
    });
    expect(await readBodyWithin(request, 1024)).toBeUndefined();
  });
});

describe("drainBody", () => {
  it("reads what is left of a body, up to the cap", async () => {
    const { request, bytesRead } = chunked(8, 1024);
    await drainBody(request);
    expect(bytesRead()).toBe(8 * 1024);
  });
});
