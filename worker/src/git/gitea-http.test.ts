import { describe, expect, it } from "vitest";
import { authorization, serializePath } from "./gitea-http";

describe("authorization", () => {
  it("sends a token as Gitea's token scheme and a password as HTTP Basic", () => {
    expect(authorization({ token: "abc" })).toBe("token abc");
    expect(authorization({ basic: { username: "alice", password: "p:w" } })).toBe(
      `Basic ${btoa("alice:p:w")}`,
    );
  });

  it("sends nothing for anonymous calls", () => {
    expect(authorization({ none: true })).toBeUndefined();
  });
});

describe("serializePath", () => {
  const contents = "/repos/{owner}/{repo}/contents/{filepath}";

  it("keeps a file path's slashes and encodes each segment on its own", () => {
    expect(
      serializePath(contents, { owner: "alice", repo: "growqr-memory", filepath: "system/a b#1.md" }),
    ).toBe("/repos/alice/growqr-memory/contents/system/a%20b%231.md");
  });

  it("encodes the other parameters whole", () => {
    expect(
      serializePath("/users/{username}/tokens/{token}", { username: "a/b", token: "growqr memory" }),
    ).toBe("/users/a%2Fb/tokens/growqr%20memory");
  });
});
