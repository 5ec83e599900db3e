import { chmodSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect } from "vitest";
import { AccessGwError } from "../../config/errors.js";
import { newFileMode, OWNER_ONLY, resolveGroup, secureDataFolder } from "../../gateway/store/dataFolder.js";
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

describe("resolveGroup: gateway.dataGroup", () => {
  it("takes a number as it is and refuses a group the system does not have, naming the option", () => {
    expect(resolveGroup("4242")).toBe(4242);
    expect(() => resolveGroup("no-such-group-accessgw")).toThrow(AccessGwError);
    expect(() => resolveGroup("no-such-group-accessgw")).toThrow(
      'gateway.dataGroup: there is no group "no-such-group-accessgw" on this system',
    );
  });
});
