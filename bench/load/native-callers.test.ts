import { describe, expect, it } from "vitest";
import type { CpuProfile } from "./cpu-profile";
import { nativeByCaller } from "./native-callers";

const frame = (functionName: string, url: string) => ({
  functionName,
  scriptId: url ? "10" : "0",
  url,
  lineNumber: url ? 1 : -1,
  columnNumber: 0,
});

describe("native self time by caller", () => {
  it("charges a native function to its nearest caller with a script, skipping native frames between", () => {
    const profile = {
      startTime: 0,
      endTime: 6_000, // µs: 6 samples of 1 ms
      nodes: [
        { id: 1, callFrame: frame("(root)", ""), children: [2, 5] },
        { id: 2, callFrame: frame("write", "file:///neon.js"), children: [3] },
        { id: 3, callFrame: frame("", ""), children: [4] },
        { id: 4, callFrame: frame("send", "") },
        { id: 5, callFrame: frame("(program)", "") },
      ],
      samples: [4, 4, 4, 2, 5, 5],
    } as CpuProfile;
    const rows = nativeByCaller(profile, (f) => f.url.replace("file:///", "node_modules/pkg/"));
    expect(rows).toEqual([{ label: "send ← write · pkg", ms: 3, share: 0.5 }]);
  });
});
