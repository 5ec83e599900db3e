/**
 * sync.md "History horizon" at the gateway: a member document's `ledgerBefore` (the central's fold
 * of a multipack's older entries) and the gateway's own fold keep R16's remaining credits exact:
 * the document's sums, its entries after `through`, and this gateway's own entries not yet acked.
 */
import { describe, expect, vi } from "vitest";
import { type LedgerEntry, Member } from "../../config/members.js";
import { memberBalance, scan } from "../../gateway/decisions.js";
import { HistoryFolder } from "../../gateway/features/historyFolder.js";
import type { Store } from "../../gateway/store/db.js";
import { foldHistory } from "../../gateway/store/historyFold.js";
import { ackUpTo } from "../../gateway/store/outbox.js";
import { recordNoPassage } from "../../gateway/store/passages.js";
import { applyMembers } from "../../gateway/store/syncMembers.js";
import { test } from "../harness/index.js";
import { at } from "../helpers/build.js";
import { exampleText } from "../helpers/examples.js";
import { ManualScheduler } from "../helpers/fakeTransport.js";
import { memoryLogger } from "../helpers/logs.js";
import { unpacked } from "../helpers/packedRows.js";
import { importInputs, scanReq } from "./storeHelpers.js";

const it = test.extend("site", ({ store: { store } }) => {
  importInputs(store, [{ name: "site.yaml", text: exampleText("site.yaml") }]);
  return store;
});

/** Ada with card 100 and a swim10 pack `mp-ada` (10 credits) holding `ledger` and `ledgerBefore`. */
function ada(ledger: LedgerEntry[], ledgerBefore?: { used: number; added: number; through: string }): Member {
  return Member.parse({
    id: "m-ada",
    cards: [{ number: "100" }],
    multipacks: [
      {
        id: "mp-ada",
        product: "swim10",
        purchasedAt: "2027-03-01T09:00:00+01:00",
        ledger,
        ...(ledgerBefore === undefined ? {} : { ledgerBefore }),
      },
    ],
  });
}

function apply(store: Store, doc: Member): void {
  expect(applyMembers(store, [doc], [])).toMatchObject({ applied: true });
}

/** "remaining/total" of Ada's pack as `balance` shows it. */
function balance(store: Store, now = at("2027-03-26T12:00")): string {
  const mp = memberBalance(store, { member: "m-ada" }, now).multipacks[0];
  return `${mp?.creditsRemaining}/${mp?.creditsTotal}`;
}

function ledgerIds(store: Store): string[] {
  return (unpacked(store).db.prepare("SELECT id FROM ledger ORDER BY id").all() as { id: string }[]).map(
    (r) => r.id,
  );
}

const entry = (id: string, amount: number, when: string, kind?: LedgerEntry["kind"]): LedgerEntry => ({
  id,
  amount,
  at: when,
  ...(kind === undefined ? {} : { kind }),
});

describe("sync.md ledgerBefore", () => {
  it("R16: the document's sums are the base and the entries listed after through merge by id", ({ site }) => {
    apply(
      site,
      ada([entry("c:9", 1, "2027-03-20T10:00:00Z")], {
        used: 4,
        added: 5,
        through: "2027-03-19T00:00:00+01:00",
      }),
    );
    // 10 + 5 added − 4 used before − 1 after.
    expect(balance(site)).toBe("10/15");
    expect(ledgerIds(site)).toEqual(["c:9"]);
    // The same document again changes nothing; a later one with a later cut moves c:9 into the sums.
    apply(
      site,
      ada([entry("c:9", 1, "2027-03-20T10:00:00Z")], {
        used: 4,
        added: 5,
        through: "2027-03-19T00:00:00+01:00",
      }),
    );
    expect(balance(site)).toBe("10/15");
    apply(site, ada([], { used: 5, added: 5, through: "2027-03-21T00:00:00+01:00" }));
    expect(balance(site)).toBe("10/15");
    expect(ledgerIds(site)).toEqual([]);
  });

  it("R16: keeps and counts its own unacked entries, drops its acked ones older than through", ({ site }) => {
    apply(site, ada([]));
    scan(site, scanReq("100", "pool"), at("2027-03-22T10:00"), "gw-1");
    scan(site, scanReq("100", "pool"), at("2027-03-23T10:00"), "gw-1");
    expect(balance(site)).toBe("8/10");
    ackUpTo(site, 1);
    // The central stored gw-1:1 and folded it; gw-1:2 has not reached it.
    apply(site, ada([], { used: 1, added: 0, through: "2027-03-24T00:00:00+01:00" }));
    expect(balance(site)).toBe("8/10");
    expect(ledgerIds(site)).toEqual(["gw-1:2"]);
    // Once acked and folded by the central too, it is in the sums and no longer a row.
    ackUpTo(site, 2);
    apply(site, ada([], { used: 2, added: 0, through: "2027-03-24T00:00:00+01:00" }));
    expect(balance(site)).toBe("8/10");
    expect(ledgerIds(site)).toEqual([]);
  });

  it("D2, R16: keeps the refund of a grant nobody passed through until the central acks it", ({ site }) => {
    apply(site, ada([]));
    const passage = { doorId: "pool-gate", input: "pool-pass", deadline: at("2027-03-22T10:01") };
    const grant = scan(site, scanReq("100", "pool"), at("2027-03-22T10:00"), "gw-1", { passage });
    ackUpTo(site, grant.seq);
    recordNoPassage(site, grant, at("2027-03-22T10:01"));
    expect(balance(site)).toBe("10/10");
    // The central has the grant's usage but not yet its undo: the refund still counts here.
    apply(site, ada([], { used: 1, added: 0, through: "2027-03-24T00:00:00+01:00" }));
    expect(balance(site)).toBe("10/10");
  });

  it("R16: ignores entries older than through that arrive later: they are in the sums", ({ site }) => {
    apply(site, ada([], { used: 3, added: 0, through: "2027-03-19T00:00:00+01:00" }));
    expect(balance(site)).toBe("7/10");
    const out = importInputs(site, [
      { name: "ada.yaml", value: { members: [ada([entry("c:1", 3, "2027-03-10T10:00:00Z")])] } },
    ]);
    expect(out).toMatchObject({ ledgerAdded: 0, ledgerKnown: 1 });
    expect(balance(site)).toBe("7/10");
  });

  it("R16: a central folding less far than the cache rebuilds its sums from the entries it lists", ({
    site,
  }) => {
    apply(
      site,
      ada([entry("c:1", 2, "2027-03-10T10:00:00Z"), entry("c:2", 5, "2027-03-12T10:00:00Z", "addition")]),
    );
    // The gateway folds to its horizon (the example site's: 7 days before 2027-03-26).
    return foldHistory(site, at("2027-03-26T12:00")).then((out) => {
      expect(out.entries).toBe(2);
      expect(ledgerIds(site)).toEqual([]);
      expect(balance(site)).toBe("13/15");
      // A central cutting at 2027-03-11 lists c:2 after its sums: still 13/15, not 8/15 or 18/20.
      apply(
        site,
        ada([entry("c:2", 5, "2027-03-12T10:00:00Z", "addition")], {
          used: 2,
          added: 0,
          through: "2027-03-11T00:00:00+01:00",
        }),
      );
      expect(balance(site)).toBe("13/15");
    });
  });
  it("R16: a folded pack handed over to a new member keeps its sums (a full ledger counts nothing twice)", ({
    site,
  }) => {
    apply(site, ada([], { used: 3, added: 0, through: "2027-03-19T00:00:00+01:00" }));
    const pack = ada([entry("c:1", 3, "2027-03-10T10:00:00Z")]).multipacks;
    expect(applyMembers(site, [Member.parse({ id: "m-bea", multipacks: pack })], [])).toMatchObject({
      applied: true,
    });
    const bea = memberBalance(site, { member: "m-bea" }, at("2027-03-26T12:00")).multipacks[0];
    expect(`${bea?.creditsRemaining}/${bea?.creditsTotal}`).toBe("7/10");
  });
});

describe("sync.md history horizon: the gateway's own fold", () => {
  it("R16: folds acked entries and old visits, never an entry the central has not acked", async ({
    site,
  }) => {
    apply(site, ada([entry("c:1", 2, "2027-03-02T10:00:00Z")]));
    scan(site, scanReq("100", "pool"), at("2027-03-03T10:00"), "gw-1");
    scan(site, scanReq("100", "pool"), at("2027-03-04T10:00"), "gw-1");
    ackUpTo(site, 1);
    expect(balance(site)).toBe("6/10");
    const out = await foldHistory(site, at("2027-03-26T12:00"));
    // c:1 and gw-1:1 are folded; gw-1:2 waits for its ack, whatever its age.
    expect(out).toMatchObject({ entries: 2, visits: 2 });
    expect(ledgerIds(site)).toEqual(["gw-1:2"]);
    expect(balance(site)).toBe("6/10");
    // The central has only what it acked: its sums and the unacked entry kept here still add up.
    apply(site, ada([], { used: 3, added: 0, through: "2027-03-19T00:00:00+01:00" }));
    expect(balance(site)).toBe("6/10");
  });

  it("R16: after a pass, a document bringing older entries has them folded on the way in", async ({
    site,
  }) => {
    apply(site, ada([]));
    await foldHistory(site, at("2027-03-26T12:00"));
    apply(site, ada([entry("c:1", 2, "2027-03-02T10:00:00Z"), entry("c:2", 1, "2027-03-25T10:00:00Z")]));
    expect(ledgerIds(site)).toEqual(["c:2"]);
    expect(balance(site)).toBe("7/10");
    // Sent again (a central with full ledgers), the folded entry counts once.
    apply(site, ada([entry("c:1", 2, "2027-03-02T10:00:00Z"), entry("c:2", 1, "2027-03-25T10:00:00Z")]));
    expect(balance(site)).toBe("7/10");
  });

  it("folds nothing for a site whose history has no horizon (a validity limit over an indefinite pack)", async ({
    site,
  }) => {
    importInputs(site, [
      {
        name: "limits.yaml",
        value: { limits: [{ id: "pool-per-pack", amount: 50, period: "validity", areas: ["pool"] }] },
      },
      {
        name: "forever.yaml",
        value: {
          products: [
            {
              id: "forever",
              credits: 0,
              validity: { indefinite: true },
              items: [{ accessType: "pool-offpeak", credits: 0 }],
            },
          ],
        },
      },
    ]);
    apply(site, ada([entry("c:1", 2, "2027-03-02T10:00:00Z")]));
    const out = await foldHistory(site, at("2027-06-26T12:00"));
    expect(out).toEqual({ cut: null, members: 0, entries: 0, visits: 0 });
    expect(ledgerIds(site)).toEqual(["c:1"]);
  });
  it("folds a page of members per transaction and lets the event loop in between", async ({ site }) => {
    const member = (id: string) =>
      Member.parse({
        id,
        multipacks: [
          {
            id: `mp-${id}`,
            product: "swim10",
            purchasedAt: "2027-03-01T09:00:00+01:00",
            ledger: [entry(`c:${id}`, 1, "2027-03-02T10:00:00Z")],
          },
        ],
      });
    for (const id of ["m-a", "m-b", "m-c"]) apply(site, member(id));
    const pages: number[] = [];
    const out = await foldHistory(site, at("2027-03-26T12:00"), {
      page: 2,
      pause: async () => {
        pages.push((unpacked(site).db.prepare("SELECT count(*) AS n FROM ledger").get() as { n: number }).n);
      },
    });
    expect(out).toMatchObject({ members: 3, entries: 3 });
    // After the first page one entry is left; after the second, none.
    expect(pages).toEqual([1, 0]);
  });
});

describe("sync.md history horizon: the nightly fold", () => {
  it("folds soon after the start, then again only once the horizon has moved (a new local day)", async ({
    site,
  }) => {
    apply(site, ada([entry("c:1", 2, "2027-03-02T10:00:00Z"), entry("c:2", 1, "2027-03-20T10:00:00Z")]));
    let now = at("2027-03-26T12:00");
    const scheduler = new ManualScheduler();
    const log = memoryLogger("info");
    const folder = new HistoryFolder({ store: site, clock: () => now, scheduler, log: log.logger });
    const folded = () => log.lines.filter((l) => l.msg === "history older than the horizon folded");
    const tick = async () => {
      expect(scheduler.runNext()).toBe(true);
      await vi.waitFor(() => expect(scheduler.pending).toBe(1));
    };
    folder.start();
    await tick();
    expect(ledgerIds(site)).toEqual(["c:2"]);
    expect(folded()).toHaveLength(1);
    // An hour later the horizon has not moved: no pass.
    now += 3_600_000;
    await tick();
    expect(folded()).toHaveLength(1);
    // Two days later it starts after c:2 (2027-03-20 + 7 days): folded too, credits unchanged.
    now = at("2027-03-28T01:00");
    await tick();
    expect(folded()).toHaveLength(2);
    expect(ledgerIds(site)).toEqual([]);
    expect(balance(site)).toBe("7/10");
    await folder.stop();
    expect(scheduler.pending).toBe(0);
  });

  it("waits at the WAL gate between pages while the checkpointer catches up (store/walGate.ts)", async ({
    site,
  }) => {
    apply(site, ada([entry("c:1", 2, "2027-03-02T10:00:00Z"), entry("c:2", 1, "2027-03-20T10:00:00Z")]));
    const folder = new HistoryFolder({
      store: site,
      clock: () => at("2027-03-26T12:00"),
      scheduler: new ManualScheduler(),
      log: memoryLogger("info").logger,
    });
    site.walGate.close();
    let done = false;
    const pass = folder.foldNow().then(() => {
      done = true;
    });
    for (let i = 0; i < 20; i++) await new Promise<void>((resolve) => setImmediate(resolve));
    // The page is written; the pass waits for the gate before going on.
    expect(ledgerIds(site)).toEqual(["c:2"]);
    expect(done).toBe(false);
    site.walGate.open();
    await pass;
    expect(done).toBe(true);
  });
});
