import { describe, expect, it } from "vitest";
import { startProcess } from "./processes";

describe("startProcess", () => {
  it("reports a command that cannot start and counts it as ended, so stop() does not hang", async () => {
    const lines: string[] = [];
    const child = startProcess("missing", "/nonexistent/growqr-no-such-command", [], {
      log: (line) => lines.push(line),
    });
    await expect(child.exited).resolves.toBeNull();
    await child.stop();
    expect(lines.join("\n")).toMatch(/could not start .*ENOENT/);
  });
});
