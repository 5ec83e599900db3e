/**
 * sync.md "Seq after a restore", the data side: a restored cache keeps deciding and recording; once
 * the central has said which seqs it holds, the events recorded since the restore move past them
 * (R14: seq never reused) with every row that names them, and the counter with them.
 */
import { join } from "node:path";
import { describe, expect } from "vitest";
import { memberBalance, scan } from "../../gateway/decisions.js";
import { takeBackup } from "../../gateway/store/backupFile.js";
import { Store } from "../../gateway/store/db.js";
import { pendingEvents } from "../../gateway/store/outbox.js";
import { restoreBackup } from "../../gateway/store/restoreFile.js";
import { confirmSeq, unconfirmedSeq } from "../../gateway/store/seqRestore.js";
import { it } from "../harness/index.js";
import { at } from "../helpers/build.js";
import { unpacked } from "../helpers/packedRows.js";
import { scanReq } from "./storeHelpers.js";

const MONDAY_10 = at("2027-03-22T10:00");
const ANNA = "1234567";
const GW = "gw-1";

/** The example store with one charged grant (seq 1), backed up and restored into a fresh folder. */
async function restored(store: Store, dir: string): Promise<Store> {
  scan(store, scanReq(ANNA, "pool"), MONDAY_10, GW);
  const b = await takeBackup({ dataDir: store.dir, to: join(dir, "b.db"), version: "t", now: MONDAY_10 });
  restoreBackup({ from: b.file, dataDir: join(dir, "data"), gatewayId: GW, force: false, now: MONDAY_10 });
  return Store.open(join(dir, "data"));
}

const seqs = (store: Store) => store.prepare("SELECT seq, id FROM events ORDER BY seq").all();
const ledgerIds = (store: Store) =>
  unpacked(store).prepare("SELECT id FROM ledger WHERE id LIKE 'gw-1:%' ORDER BY id").pluck().all();
const left = (store: Store) =>
  memberBalance(store, { member: "m-anna" }, MONDAY_10 + 2 * 86_400_000).multipacks[0]?.creditsRemaining;

describe("seq after a restore (R14: a seq is never used twice)", () => {
  it("moves the events recorded since the restore past the central's seq, with their ledger entries, visits and outbox rows", async ({
    exampleStore,
    folder,
  }) => {
    const store = await restored(exampleStore, folder.dir);
    try {
      expect(unconfirmedSeq(store)).toBe(1);
      // Decisions go on while unconfirmed: seqs 2 and 3 may be ones the central already holds.
      const tuesday = scan(store, scanReq(ANNA, "pool"), MONDAY_10 + 86_400_000, GW);
      expect(tuesday).toMatchObject({ decision: "grant", creditsDeducted: 1 });
      scan(store, scanReq("999", "gym"), MONDAY_10 + 86_500_000, GW);
      const before = left(store);
      expect(confirmSeq(store, 10)).toMatchObject({
        kind: "confirmed",
        through: 1,
        centralSeq: 10,
        moved: 2,
        nextSeq: 13,
      });
      expect(seqs(store)).toEqual([
        { seq: 1, id: "gw-1:1" },
        { seq: 11, id: "gw-1:11" },
        { seq: 12, id: "gw-1:12" },
      ]);
      expect(pendingEvents(store).map((e) => [e.seq, e.id])).toEqual([
        [1, "gw-1:1"],
        [11, "gw-1:11"],
        [12, "gw-1:12"],
      ]);
      expect(ledgerIds(store)).toEqual(["gw-1:1", "gw-1:11"]);
      expect(
        unpacked(store).prepare("SELECT id FROM visits WHERE id LIKE 'gw-1:%' ORDER BY at").pluck().all(),
      ).toEqual(["gw-1:1", "gw-1:11"]);
      // The same credits: the usage moved with its event, none was lost or counted twice.
      expect(left(store)).toBe(before);
      expect(unconfirmedSeq(store)).toBeNull();
      expect(scan(store, scanReq("998", "gym"), MONDAY_10 + 2 * 86_400_000, GW).seq).toBe(13);
    } finally {
      store.close();
    }
  });

  it("moves nothing when the central holds nothing past the backup", async ({ exampleStore, folder }) => {
    const store = await restored(exampleStore, folder.dir);
    try {
      scan(store, scanReq("999", "gym"), MONDAY_10 + 3_600_000, GW);
      expect(confirmSeq(store, 1)).toMatchObject({ kind: "confirmed", moved: 0, nextSeq: 3 });
      expect(seqs(store)).toEqual([
        { seq: 1, id: "gw-1:1" },
        { seq: 2, id: "gw-1:2" },
      ]);
    } finally {
      store.close();
    }
  });

  it("moves the counter past the central's seq when nothing was recorded since the restore", async ({
    exampleStore,
    folder,
  }) => {
    const store = await restored(exampleStore, folder.dir);
    try {
      expect(confirmSeq(store, 40)).toMatchObject({ kind: "confirmed", moved: 0, nextSeq: 41 });
      expect(scan(store, scanReq("999", "gym"), MONDAY_10 + 3_600_000, GW).seq).toBe(41);
    } finally {
      store.close();
    }
  });

  it("waits while an event since the restore still waits for its pulse (its seq is held by the door)", async ({
    exampleStore,
    folder,
  }) => {
    const store = await restored(exampleStore, folder.dir);
    try {
      const e = scan(store, scanReq(ANNA, "pool"), MONDAY_10 + 3 * 3_600_000, GW);
      store.prepare("UPDATE events SET pulse = 'pending' WHERE seq = ?").run(e.seq);
      expect(confirmSeq(store, 10)).toEqual({ kind: "busy", waiting: 1 });
      expect(unconfirmedSeq(store)).toBe(1);
      expect(seqs(store).map((r) => (r as { seq: number }).seq)).toEqual([1, 2]);
      store.prepare("UPDATE events SET pulse = 'done' WHERE seq = ?").run(e.seq);
      expect(confirmSeq(store, 10)).toMatchObject({ kind: "confirmed", moved: 1, nextSeq: 12 });
    } finally {
      store.close();
    }
  });
});
