/**
 * The reference central keeps member data too (names, cards, usage): like the gateway's data
 * folder, a new central data folder is its owner's only (0700) and its files 0600, whatever the umask.
 */
import { statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect } from "vitest";
import { CENTRAL_DB_FILE, CentralStore } from "../../central/centralStore.js";
import { acquireLock, LOCK_FILE } from "../../central/dataLock.js";
import { it } from "../harness/index.js";

const mode = (path: string) => statSync(path).mode & 0o777;

describe("the central's data folder (secure by default)", () => {
  it("is created 0700 with the store, its WAL and the lock file 0600 under a 022 umask", ({
    folder,
    defer,
  }) => {
    const previous = process.umask(0o022);
    defer(() => process.umask(previous));
    const data = join(folder.dir, "central-data");
    const store = CentralStore.open(data);
    defer(() => store.close());
    defer(acquireLock(data));
    store.db.exec("CREATE TABLE IF NOT EXISTS probe (x); INSERT INTO probe VALUES (1)");
    expect(mode(data)).toBe(0o700);
    expect(mode(join(data, CENTRAL_DB_FILE))).toBe(0o600);
    expect(mode(join(data, `${CENTRAL_DB_FILE}-wal`))).toBe(0o600);
    expect(mode(join(data, LOCK_FILE))).toBe(0o600);
  });
});
