import { describe, expect } from "vitest";
import { AccessGwError } from "../../config/errors.js";
import { importDataFiles } from "../../gateway/store/fileImport.js";
import { mergeLedgerEntry } from "../../gateway/store/ledgerMerge.js";
import { holdCodes, releaseCodes } from "../../gateway/store/packedCodes.js";
import { readLedger } from "../../gateway/store/packedHistory.js";
import { it } from "../harness/index.js";

const member = (i: number, ledger: string) =>
  `  - id: m-${i}\n    cards: [{ number: "${700 + i}" }]\n    multipacks: [{ id: mp-${i}, product: swim10, purchasedAt: "2027-03-01T18:00:00+01:00", ledger: [${ledger}] }]\n`;
const entry = (id: string) => `{ id: ${id}, amount: 1, at: "2027-03-02T10:00:00+01:00", area: pool }`;

describe("the packed history's code book during an import (issue 12 §4)", () => {
  it("forgets the codes a refused import added: a text added later gets its own code", async ({
    exampleStore: store,
    writeFile,
  }) => {
    const file = writeFile(
      "members.yaml",
      `members:\n${Array.from({ length: 250 }, (_, i) => member(i, entry(`r:${i}`))).join("")}  - id: m-bad\n    cards: "9"\n`,
    );
    // The origin is a text the cache never held: its code is added inside the refused import.
    const refused = await importDataFiles(store, [{ name: file }], "restore-x").catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(AccessGwError);
    // The number SQLite handed "restore-x" is free again: another text now takes it.
    mergeLedgerEntry(
      store,
      "m-anna",
      "mp-anna-swim",
      "swim10",
      { id: "e-other", amount: 1, at: "2027-03-03T10:00:00+01:00", area: "pool" },
      "other-origin",
    );
    const good = writeFile("good.yaml", `members:\n${member(1, entry("g:1"))}`);
    await importDataFiles(store, [{ name: good }], "restore-x");
    expect(readLedger(store, "mp-1").map((e) => e.origin)).toEqual(["restore-x"]);
    expect(readLedger(store, "mp-anna-swim").find((e) => e.id === "e-other")?.origin).toBe("other-origin");
  });

  it("a hold released before its transaction ends keeps nothing that transaction may roll back", ({
    exampleStore: store,
  }) => {
    holdCodes(store.db);
    store.db.exec("BEGIN");
    mergeLedgerEntry(
      store,
      "m-anna",
      "mp-anna-swim",
      "swim10",
      { id: "e-1", amount: 1, at: "2027-03-03T10:00:00+01:00", area: "pool" },
      "held-origin",
    );
    releaseCodes(store.db);
    store.db.exec("ROLLBACK");
    // The next writes in one transaction: the book is not read again meanwhile.
    store.db.transaction(() => {
      mergeLedgerEntry(
        store,
        "m-anna",
        "mp-anna-swim",
        "swim10",
        { id: "e-2", amount: 1, at: "2027-03-03T11:00:00+01:00", area: "pool" },
        "later-origin",
      );
      mergeLedgerEntry(
        store,
        "m-anna",
        "mp-anna-swim",
        "swim10",
        { id: "e-3", amount: 1, at: "2027-03-03T12:00:00+01:00", area: "pool" },
        "held-origin",
      );
    })();
    const origins = Object.fromEntries(readLedger(store, "mp-anna-swim").map((e) => [e.id, e.origin]));
    expect([origins["e-1"], origins["e-2"], origins["e-3"]]).toEqual([
      undefined,
      "later-origin",
      "held-origin",
    ]);
  });
});
