import { statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect } from "vitest";
import { it } from "../harness/index.js";
import { jsonOf, launch } from "./accessgw.js";

describe("accessgw user, the installed command (issue 11 §3)", () => {
  it("adds a user with the password piped on stdin, lists it, and prints neither password nor hash", async ({
    folder,
  }) => {
    const add = launch(["user", "add", "anna", "--role", "desk", "--password-stdin", "--data", folder.data], {
      stdin: "pipe",
    });
    add.child.stdin?.end("front desk 1\n");
    const added = await add.exited;
    expect(added).toMatchObject({ code: 0, stderr: "" });
    expect(added.stdout).toMatch(/^added anna \(desk\)/);
    expect(added.stdout + added.stderr).not.toMatch(/front desk 1|scrypt/);
    expect(statSync(join(folder.data, "users.json")).mode & 0o777).toBe(0o600);
    const list = await launch(["user", "list", "--json", "--data", folder.data]).exited;
    expect(jsonOf<{ users: { name: string; role: string }[] }>(list).users).toEqual([
      expect.objectContaining({ name: "anna", role: "desk" }),
    ]);
    const empty = launch(["user", "passwd", "anna", "--password-stdin", "--data", folder.data], {
      stdin: "pipe",
    });
    empty.child.stdin?.end("\n");
    expect(await empty.exited).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("the password is empty"),
    });
  });
});
