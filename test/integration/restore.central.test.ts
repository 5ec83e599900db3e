/**
 * issue 10 §5 with the reference central, the real sync client and a real Mosquitto: a box is
 * backed up, records more events that reach the central, and dies; the backup is restored onto a
 * new box, which scans at once. Its new events get fresh seqs past what the central holds and are
 * stored there (none dropped as a duplicate of the dead box's events), and nothing is lost.
 */
import { join } from "node:path";
import { describe, expect, vi } from "vitest";
import { isDecision } from "../../config/protocol/events.js";
import { scan } from "../../gateway/decisions.js";
import { takeBackup } from "../../gateway/store/backupFile.js";
import { Store, syncState } from "../../gateway/store/db.js";
import { outboxDepth } from "../../gateway/store/outbox.js";
import { restoreBackup } from "../../gateway/store/restoreFile.js";
import { unconfirmedSeq } from "../../gateway/store/seqRestore.js";
import { it } from "../harness/index.js";
import { at } from "../helpers/build.js";
import { scanReq } from "../store/storeHelpers.js";

const MONDAY_10 = at("2027-03-22T10:00");
const GW = "gw-restored";
const wait = (fn: () => void) => vi.waitFor(fn, { timeout: 10_000, interval: 20 });

describe("sync.md seq after a restore, with the reference central", () => {
  it("a restored gateway's new events get seqs past the central's and are all stored there", async ({
    central,
    newStore,
    syncClient,
    folder,
    defer,
  }) => {
    const prefix = "restore/v1";
    const c = await central(prefix).start();
    const old = newStore();
    const first = syncClient({ store: old.store, gatewayId: GW, prefix, sync: { ackTimeoutMs: 300 } });
    await wait(() => expect(syncState(old.store).lastRev).toBeGreaterThan(0));
    const denyAt = (store: Store, card: string, minutes: number) =>
      scan(store, scanReq(card, "gym"), MONDAY_10 + minutes * 60_000, GW);

    denyAt(old.store, "900", 0);
    denyAt(old.store, "901", 1);
    first.poke();
    await wait(() => expect(outboxDepth(old.store)).toBe(0));
    const backup = await takeBackup({
      dataDir: old.dir,
      to: join(folder.dir, "b.db"),
      version: "t",
      now: MONDAY_10,
    });
    expect(backup.highestSeq).toBe(2);

    // After the backup the old box records three more that reach the central, then dies.
    for (const card of ["902", "903", "904"]) denyAt(old.store, card, 2);
    first.poke();
    await wait(() => expect(c.events(GW)).toHaveLength(5));
    await first.stop();

    restoreBackup({ from: backup.file, dataDir: folder.data, gatewayId: GW, force: false, now: MONDAY_10 });
    const store = Store.open(folder.data);
    defer(() => store.close());
    // The new box decides before it has reached the central: local seqs 3 and 4 (the central has those).
    expect(denyAt(store, "905", 10).seq).toBe(3);
    expect(denyAt(store, "906", 11).seq).toBe(4);
    const second = syncClient({ store, gatewayId: GW, prefix, sync: { ackTimeoutMs: 300 } });
    expect(second.problems()).toContainEqual(expect.stringMatching(/^seqUnconfirmed/));

    await wait(() => expect(unconfirmedSeq(store)).toBeNull());
    await wait(() => expect(outboxDepth(store)).toBe(0));
    expect(second.problems().filter((p) => p.startsWith("seqUnconfirmed"))).toEqual([]);
    const cards = () =>
      c
        .events(GW)
        .filter(isDecision)
        .map((e) => [e.seq, e.card]);
    expect(cards()).toEqual([
      [1, "900"],
      [2, "901"],
      [3, "902"],
      [4, "903"],
      [5, "904"],
      [6, "905"],
      [7, "906"],
    ]);
    expect(c.counters().eventsDuplicate).toBe(0);
    // The next scan continues after them, and reaches the central too.
    expect(denyAt(store, "907", 12).seq).toBe(8);
    second.poke();
    await wait(() => expect(cards().at(-1)).toEqual([8, "907"]));
    expect(c.watermark(GW)).toBe(8);
  });
});
