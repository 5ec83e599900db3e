/**
 * sync.md "History horizon", property-tested through the cache: two gateways' stores live the same
 * history — scans recorded here, acks, entries the central got from elsewhere (some late, made days
 * before) and member documents — one with full ledgers and history, the other with the history
 * folded (the central's `ledgerBefore` at random cut points, or the gateway's own fold at random
 * times). Remaining credits (R16) and every decision must come out the same.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type LedgerEntry, ledgerKind, Member } from "../../config/members.js";
import { explain, memberBalance, scan } from "../../gateway/decisions.js";
import { horizonStart } from "../../gateway/engine/horizon.js";
import { foldHistory } from "../../gateway/store/historyFold.js";
import { ackUpTo } from "../../gateway/store/outbox.js";
import { applyMembers } from "../../gateway/store/syncMembers.js";
import { at } from "../helpers/build.js";
import { exampleText } from "../helpers/examples.js";
import { freshStore, importInputs, scanReq, type TestStore } from "./storeHelpers.js";

const MIN = 60_000;
const DAY = 1440 * MIN;
const START = at("2027-03-01T08:00");
const ZONE = "Europe/Rome";
/** The example site's horizon: its studio limit counts a week (gateway/engine/horizon.ts). */
const HORIZON_DAYS = 7;
const AREAS = ["pool", "gym", "studio"] as const;

type Step =
  | { dt: number; kind: "scan"; area: (typeof AREAS)[number] }
  | { dt: number; kind: "ack" }
  | { dt: number; kind: "central"; entry: Omit<LedgerEntry, "id" | "at">; lateDays: number }
  | { dt: number; kind: "doc"; cutDays: number }
  | { dt: number; kind: "fold" };

const central = fc.oneof(
  fc.record({ amount: fc.integer({ min: 1, max: 3 }), kind: fc.constant("usage" as const) }),
  fc.record({ amount: fc.integer({ min: 1, max: 5 }), kind: fc.constant("addition" as const) }),
  fc.record({ amount: fc.integer({ min: -2, max: -1 }), kind: fc.constant("refund" as const) }),
  fc.record({ amount: fc.integer({ min: 0, max: 2 }), kind: fc.constant("deduction" as const) }),
);
/** Minutes to the next step: mostly hours, sometimes days (so the horizon moves past history). */
const dt = fc.oneof(
  { arbitrary: fc.integer({ min: 1, max: 600 }), weight: 4 },
  { arbitrary: fc.integer({ min: 600, max: 4 * 1440 }), weight: 3 },
  { arbitrary: fc.integer({ min: 4 * 1440, max: 9 * 1440 }), weight: 1 },
);
const step: fc.Arbitrary<Step> = fc.oneof(
  {
    arbitrary: fc.record({ dt, kind: fc.constant("scan" as const), area: fc.constantFrom(...AREAS) }),
    weight: 5,
  },
  { arbitrary: fc.record({ dt, kind: fc.constant("ack" as const) }), weight: 1 },
  {
    arbitrary: fc.record({
      dt,
      kind: fc.constant("central" as const),
      entry: central,
      lateDays: fc.integer({ min: 0, max: 12 }),
    }),
    weight: 2,
  },
  {
    arbitrary: fc.record({ dt, kind: fc.constant("doc" as const), cutDays: fc.integer({ min: 0, max: 30 }) }),
    weight: 3,
  },
  { arbitrary: fc.record({ dt, kind: fc.constant("fold" as const) }), weight: 1 },
);

/** How the folded store gets its documents and folds. */
type Mode = "centralCuts" | "ownFold";

/** One history lived by a store with everything (`full`) and one with its history folded. */
class Twins {
  readonly full: TestStore = freshStore();
  readonly folded: TestStore = freshStore();
  /** What the central has stored: its own entries and this gateway's acked ones. */
  private readonly known: LedgerEntry[] = [];
  /** This gateway's entries not yet acked. */
  private pending: LedgerEntry[] = [];
  /** Every entry either store has been given: the central's as last published, and this gateway's. */
  private readonly delivered = new Map<string, LedgerEntry>();
  private n = 0;

  constructor(private readonly mode: Mode) {
    for (const t of [this.full, this.folded])
      importInputs(t.store, [{ name: "site.yaml", text: exampleText("site.yaml") }]);
  }

  close(): void {
    this.full.close();
    this.folded.close();
  }

  async run(s: Step, now: number): Promise<void> {
    if (s.kind === "scan") this.scan(s.area, now);
    else if (s.kind === "ack") this.ack();
    else if (s.kind === "central")
      this.known.push({
        ...s.entry,
        id: `c:${++this.n}`,
        at: new Date(now - s.lateDays * DAY).toISOString(),
      });
    else if (s.kind === "doc") this.publish(now, s.cutDays);
    else if (this.mode === "ownFold") await foldHistory(this.folded.store, now);
  }

  /** The same scan at both: the same decision, then the entry it wrote is this gateway's own. */
  private scan(area: string, now: number): void {
    const a = scan(this.full.store, scanReq("100", area), now, "gw-1");
    const b = scan(this.folded.store, scanReq("100", area), now, "gw-1");
    const pick = (e: typeof a) => ({
      decision: e.decision,
      reason: e.reason,
      credits: e.creditsDeducted,
      mp: e.multipackId,
    });
    expect(pick(b)).toEqual(pick(a));
    if (a.creditsDeducted > 0) {
      const own: LedgerEntry = { id: a.id, amount: a.creditsDeducted, at: a.at, area, kind: "usage" };
      this.pending.push(own);
      this.delivered.set(own.id, own);
    }
  }

  private ack(): void {
    const seq = this.full.store.db.prepare("SELECT max(seq) AS s FROM events").get() as { s: number | null };
    for (const t of [this.full, this.folded]) ackUpTo(t.store, seq.s ?? 0);
    this.known.push(...this.pending);
    this.pending = [];
  }

  /** The central publishes the member: full to one, folded to the other (its cut, or its horizon's). */
  private publish(now: number, cutDays: number): void {
    const cut = this.mode === "centralCuts" ? now - cutDays * DAY : horizonStart(HORIZON_DAYS, now, ZONE);
    const before = { used: 0, added: 0, through: new Date(cut).toISOString() };
    const after: LedgerEntry[] = [];
    for (const e of this.known) {
      if (Date.parse(e.at) >= cut) after.push(e);
      else if (ledgerKind(e) === "addition") before.added += e.amount;
      else before.used += e.amount;
    }
    for (const e of this.known) this.delivered.set(e.id, e);
    apply(this.full, member(this.known));
    apply(this.folded, member(after, before));
  }

  /** R16 over every entry, wherever it is: both stores must show it. */
  check(now: number): void {
    let remaining = 10;
    for (const e of this.delivered.values()) remaining += ledgerKind(e) === "addition" ? e.amount : -e.amount;
    for (const t of [this.full, this.folded]) expect(swimLeft(t, now)).toBe(remaining);
    for (const area of AREAS) {
      const a = explain(this.full.store, scanReq("100", area), now);
      const b = explain(this.folded.store, scanReq("100", area), now);
      expect({ decision: b.decision, reason: b.reason }).toEqual({ decision: a.decision, reason: a.reason });
    }
  }
}

/** The member, card 100: a swim10 pack holding `ledger` (and `ledgerBefore`), and a gymflex pack. */
function member(
  ledger: LedgerEntry[],
  ledgerBefore?: { used: number; added: number; through: string },
): Member {
  return Member.parse({
    id: "m-ada",
    cards: [{ number: "100" }],
    multipacks: [
      { id: "mp-flex", product: "gymflex", purchasedAt: "2027-03-01T07:00:00+01:00" },
      {
        id: "mp-swim",
        product: "swim10",
        purchasedAt: "2027-02-28T09:00:00+01:00",
        ledger,
        ...(ledgerBefore === undefined ? {} : { ledgerBefore }),
      },
    ],
  });
}

function apply(t: TestStore, doc: Member): void {
  expect(applyMembers(t.store, [doc], [])).toMatchObject({ applied: true });
}

function swimLeft(t: TestStore, now: number): number | null | undefined {
  return memberBalance(t.store, { member: "m-ada" }, now).multipacks.find((m) => m.multipackId === "mp-swim")
    ?.creditsRemaining;
}

async function live(mode: Mode, steps: Step[]): Promise<void> {
  const twins = new Twins(mode);
  try {
    let now = START;
    await twins.run({ dt: 0, kind: "doc", cutDays: 0 }, now);
    for (const s of steps) {
      now += s.dt * MIN;
      await twins.run(s, now);
      twins.check(now);
    }
  } finally {
    twins.close();
  }
}

describe("sync.md history horizon: folded history changes nothing (property)", () => {
  it("R16: remaining credits are the same with full ledgers and with ledgerBefore at random cut points", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 5, maxLength: 30 }), (steps) =>
        live("centralCuts", steps),
      ),
      { numRuns: 25 },
    );
  });

  it("R5, R7, R8, R16: the gateway's own fold at random times never changes a decision or a balance", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 5, maxLength: 30 }), (steps) => live("ownFold", steps)),
      { numRuns: 25 },
    );
  });
});
