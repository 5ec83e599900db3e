import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { describe, expect } from "vitest";
import { parseCommandLine } from "../../gateway/cliParse.js";
import { readPasswordLine, runUser } from "../../gateway/cliUser.js";
import type { Io } from "../../gateway/cliVerbs.js";
import { USERS_FILE } from "../../web/users.js";
import { it } from "../harness/index.js";

const T0 = Date.parse("2026-12-01T08:00:00Z");

/** Runs `accessgw user …` in-process, as the command line would, with this password on stdin. */
async function user(argv: string[], data: string, password?: string) {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { out: (t) => void out.push(t), err: (t) => void err.push(t), env: {} };
  const command = parseCommandLine(["user", ...argv, "--data", data]);
  if (command.kind !== "run") throw new Error("not a run");
  try {
    const code = await runUser(command.args, command.flags, {
      io,
      dataDir: data,
      now: () => T0,
      readPassword: async () => password ?? "",
    });
    return { code, out: out.join("\n"), err: err.join("\n") };
  } catch (e) {
    const error = e as Error & { exitCode?: number };
    return { code: error.exitCode ?? 1, out: out.join("\n"), err: error.message };
  }
}

describe("accessgw user (issue 11 §3)", () => {
  it("adds, lists, changes the password of and removes a user, never printing the password or hash", async ({
    folder,
  }) => {
    const added = await user(
      ["add", "anna", "--role", "desk", "--password-stdin"],
      folder.data,
      "front desk 1",
    );
    expect(added).toMatchObject({ code: 0 });
    expect(added.out).toMatch(/^added anna \(desk\) to .*users\.json: anna can log in now/);
    await user(["add", "marco", "--role", "technician", "--password-stdin"], folder.data, "technician 1");
    const list = await user(["list"], folder.data);
    expect(list.out.split("\n").map((l) => l.split(/\s+/).slice(0, 2))).toEqual([
      ["NAME", "ROLE"],
      ["anna", "desk"],
      ["marco", "technician"],
    ]);
    const json = JSON.parse((await user(["list", "--json"], folder.data)).out);
    expect(json.users.map((u: { name: string }) => u.name)).toEqual(["anna", "marco"]);
    expect(JSON.stringify(json)).not.toContain("scrypt");
    const passwd = await user(["passwd", "anna", "--password-stdin", "--json"], folder.data, "front desk 2");
    expect(JSON.parse(passwd.out)).toMatchObject({ done: "password changed", user: { name: "anna" } });
    expect((await user(["remove", "marco"], folder.data)).out).toBe(
      "removed marco (technician): their open sessions end at their next request",
    );
    const stored = readFileSync(join(folder.data, USERS_FILE), "utf8");
    expect(stored).not.toMatch(/front desk|technician 1/);
    expect(JSON.parse(stored).users.map((u: { name: string }) => u.name)).toEqual(["anna"]);
  });

  it.each([
    [["add", "anna", "--password-stdin"], "pw long enough", /user add needs --role/],
    [
      ["add", "anna", "--role", "boss", "--password-stdin"],
      "pw long enough",
      /"boss" is not a role \(the roles: viewer, desk, technician, manager\)/,
    ],
    [["add", "anna", "--role", "desk"], "pw long enough", /needs --password-stdin/],
    [["add", "Anna", "--role", "desk", "--password-stdin"], "pw long enough", /capital letters/],
    [["add", "anna", "--role", "desk", "--password-stdin"], "", /the password is empty/],
    [["add", "anna", "--role", "desk", "--password-stdin"], "seven77", /7 characters long; at least 8/],
    [["remove", "nobody"], undefined, /there is no user nobody/],
    [["remove"], undefined, /user remove needs a NAME/],
    [["list", "anna"], undefined, /user list takes no NAME/],
    [["remove", "anna", "--role", "desk"], undefined, /--role goes with user add/],
    [["rename", "anna"], undefined, /"rename" is not a user subcommand/],
  ])("refuses %j with exit 2 and says why", async (argv, password, why) => {
    // Refused before anything is written: the folder is never created.
    const run = await user(argv as string[], "/nonexistent/accessgw-users", password);
    expect(run.code).toBe(2);
    expect(run.err).toMatch(why);
  });

  it("reads the first line of a piped stdin as the password, keeping its spaces", async () => {
    const stdin = new PassThrough();
    stdin.end(" two words \r\nsecond line\n");
    const io: Io = { out: () => {}, err: () => {}, env: {} };
    expect(await readPasswordLine(stdin, io)).toBe(" two words ");
  });
});
