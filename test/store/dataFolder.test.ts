import { chmodSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect } from "vitest";
import { AccessGwError } from "../../config/errors.js";
import {
  groupAccess,
  newFileMode,
  OWNER_ONLY,
  resolveGroup,
  secureDataFolder,
} from "../../gateway/store/dataFolder.js";
import { USERS_FILE } from "../../web/users.js";
import { it } from "../harness/index.js";

const mode = (path: string) => (statSync(path).mode & 0o7777).toString(8);

describe("secureDataFolder: member data for its owner only", () => {
  it("creates a missing folder 0700 and narrows what is wider, once, saying what it changed", ({
    folder: { dir },
  }) => {
    const data = join(dir, "data");
    expect(secureDataFolder(data, OWNER_ONLY)).toEqual({ changes: [], failures: [] });
    expect(mode(data)).toBe("700");
    expect(newFileMode(data)).toBe(0o600);

    writeFileSync(join(data, "accessgw.db"), "");
    chmodSync(join(data, "accessgw.db"), 0o644);
    chmodSync(data, 0o755);
    expect(secureDataFolder(data, OWNER_ONLY)).toEqual({
      changes: [
        { path: data, mode: { from: "0755", to: "0700" } },
        { path: join(data, "accessgw.db"), mode: { from: "0644", to: "0600" } },
      ],
      failures: [],
    });
    expect(mode(join(data, "accessgw.db"))).toBe("600");
    expect(secureDataFolder(data, OWNER_ONLY)).toEqual({ changes: [], failures: [] });
  });
});

describe("secureDataFolder: gateway.dataGroup", () => {
  it("opens the files to the group, but for the console's logins (password hashes), the owner's alone", ({
    folder: { dir },
  }) => {
    const data = join(dir, "data");
    const access = groupAccess({ name: "mine", gid: process.getgid?.() ?? 0 });
    secureDataFolder(data, access);
    writeFileSync(join(data, "accessgw.db"), "");
    writeFileSync(join(data, USERS_FILE), "{}");
    chmodSync(join(data, USERS_FILE), 0o644);
    secureDataFolder(data, access);
    expect(mode(join(data, "accessgw.db"))).toBe("640");
    expect(mode(join(data, USERS_FILE))).toBe("600");
  });
});

describe("resolveGroup: gateway.dataGroup", () => {
  it("takes a number as it is and refuses a group the system does not have, naming the option", () => {
    expect(resolveGroup("4242")).toBe(4242);
    expect(() => resolveGroup("no-such-group-accessgw")).toThrow(AccessGwError);
    expect(() => resolveGroup("no-such-group-accessgw")).toThrow(
      'gateway.dataGroup: there is no group "no-such-group-accessgw" on this system',
    );
  });
});
