import { describe, expect, it } from "vitest";
import { assertEdgeReachable } from "./edge-check";
import { StackFailure } from "./stack-failure";

const EDGE = "https://growqr-runtime.fly.dev";

describe("assertEdgeReachable", () => {
  it.each([404, 502, 200])("passes on any HTTP answer (%i): the edge routes the app", async (status) => {
    const calls: Array<{ url: string; headers: Headers }> = [];
    const fetchImpl = (async (url: string, init?: RequestInit) => {
      calls.push({ url, headers: new Headers(init?.headers) });
      return new Response("no machine", { status });
    }) as typeof fetch;
    await expect(
      assertEdgeReachable(`${EDGE}/`, "growqr-runtime", "m-own", fetchImpl),
    ).resolves.toBeUndefined();
    // One request, pinned to the user's own machine: unpinned, the proxy could wake another user's.
    expect(calls).toHaveLength(1);
    expect(calls[0]?.url).toBe(`${EDGE}/`);
    expect(calls[0]?.headers.get("fly-force-instance-id")).toBe("m-own");
  });

  it("fails naming the app, the URL and the fix when the edge does not resolve or connect", async () => {
    const fetchImpl = (async () => {
      throw new TypeError("fetch failed: getaddrinfo ENOTFOUND growqr-runtime.fly.dev");
    }) as typeof fetch;
    const failure = await assertEdgeReachable(EDGE, "growqr-runtime", "m-own", fetchImpl).catch(
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(StackFailure);
    const message = (failure as Error).message;
    expect(message).toContain(`the runtime app growqr-runtime does not answer at ${EDGE}`);
    expect(message).toContain("fly ips allocate-v6 -a growqr-runtime");
    expect(message).toContain("fly ips allocate-v4 --shared -a growqr-runtime");
    expect(message).toContain("FLY_EDGE_URL is wrong");
    // Fit for the user's `lastError`: the low-level cause stays in `cause`, not in the message.
    expect(message).not.toContain("ENOTFOUND");
  });

  it("passes when nothing answers in time (a machine still booting): the health probes decide", async () => {
    const hanging = ((_url: string, init?: RequestInit) =>
      new Promise<Response>((_resolve, reject) => {
        init?.signal?.addEventListener("abort", () => reject(init.signal?.reason));
      })) as typeof fetch;
    const started = Date.now();
    await expect(assertEdgeReachable(EDGE, "growqr-runtime", "m-own", hanging, 50)).resolves.toBeUndefined();
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});
