import { chownSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect } from "vitest";
import { verifyPassword } from "../../web/passwords.js";
import { USERS_FILE, UsersFile, userNameProblem } from "../../web/users.js";
import { it } from "../harness/index.js";

const T0 = Date.parse("2026-12-01T08:00:00Z");

describe("the users file (issue 11 §3)", () => {
  it("keeps a scrypt hash, never the password, in a 0600 file of a 0700 folder", async ({ folder }) => {
    const users = new UsersFile(folder.data, () => T0);
    await users.add("anna", "desk", "correct horse");
    expect(statSync(folder.data).mode & 0o777).toBe(0o700);
    expect(statSync(join(folder.data, USERS_FILE)).mode & 0o777).toBe(0o600);
    const text = readFileSync(join(folder.data, USERS_FILE), "utf8");
    expect(text).not.toContain("correct horse");
    const [stored] = JSON.parse(text).users;
    expect(stored).toMatchObject({ name: "anna", role: "desk", created: "2026-12-01T08:00:00.000Z" });
    expect(stored.hash).toMatch(/^scrypt\$16384\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect(await verifyPassword("correct horse", stored.hash)).toBe(true);
    expect(await verifyPassword("correct horsE", stored.hash)).toBe(false);
    expect(users.list()).toEqual([
      {
        name: "anna",
        role: "desk",
        created: "2026-12-01T08:00:00.000Z",
        changed: "2026-12-01T08:00:00.000Z",
      },
    ]);
  });

  it.each([
    ["", /cannot be empty/],
    ["Anna", /capital letters; user names are lower case \(anna\)/],
    ["a".repeat(33), /33 characters long; a user name has at most 32/],
    ["anna smith", /not a user name: use lower-case letters, digits/],
    ["-anna", /starting with a letter or digit/],
    ["../etc", /not a user name/],
  ])("refuses the name %j, saying why", (name, why) => {
    expect(userNameProblem(name)).toMatch(why);
  });

  it("refuses a short or empty password, a taken name and an unknown user, naming the problem", async ({
    folder,
  }) => {
    const users = new UsersFile(folder.data, () => T0);
    await expect(users.add("anna", "desk", "")).rejects.toThrow("the password is empty");
    await expect(users.add("anna", "desk", "short")).rejects.toThrow(
      "the password is 5 characters long; at least 8 are needed",
    );
    await users.add("anna", "desk", "long enough");
    await expect(users.add("anna", "viewer", "long enough")).rejects.toThrow(/anna already exists/);
    expect(() => users.remove("bob")).toThrow(/there is no user bob in .*users: anna/);
    await expect(users.passwd("bob", "long enough")).rejects.toMatchObject({ code: "UNKNOWN_USER" });
  });

  it("changes a password and removes a user; another reader of the file sees both at once", async ({
    folder,
  }) => {
    let now = T0;
    const cli = new UsersFile(folder.data, () => now);
    const daemon = new UsersFile(folder.data, () => now);
    await cli.add("anna", "desk", "first password");
    await cli.add("marco", "technician", "second password");
    const before = daemon.find("anna")?.hash;
    now += 60_000;
    await cli.passwd("anna", "a new password");
    const after = daemon.find("anna");
    expect(after?.hash).not.toBe(before);
    expect(after?.changed).toBe("2026-12-01T08:01:00.000Z");
    expect(await verifyPassword("a new password", after?.hash ?? "")).toBe(true);
    cli.remove("marco");
    expect(daemon.list().map((u) => u.name)).toEqual(["anna"]);
  });

  it("names the file and field of a users file broken by hand", ({ folder }) => {
    mkdirSync(folder.data);
    writeFileSync(
      join(folder.data, USERS_FILE),
      JSON.stringify({ version: 1, users: [{ name: "anna", role: "boss" }] }),
    );
    expect(() => new UsersFile(folder.data, () => T0).list()).toThrow(/users\.json: users\.0\.role: /);
    writeFileSync(join(folder.data, USERS_FILE), "{ not json");
    expect(() => new UsersFile(folder.data, () => T0).list()).toThrow(/users\.json: not JSON/);
  });

  it.runIf(process.getuid?.() === 0)(
    "written by root, the file takes the data folder's owner so the daemon's user can read it",
    async ({ folder }) => {
      mkdirSync(folder.data, { mode: 0o700 });
      chownSync(folder.data, 4242, 4243);
      await new UsersFile(folder.data, () => T0).add("anna", "desk", "long enough");
      const st = statSync(join(folder.data, USERS_FILE));
      expect([st.uid, st.gid]).toEqual([4242, 4243]);
    },
  );
});
